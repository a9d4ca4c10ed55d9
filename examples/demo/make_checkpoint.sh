#!/bin/sh
# Reproduces examples/demo/digits_4steps.pt, the checkpoint `make demo` builds for the board:
# a TinyUNet v-prediction teacher on the bundled 16x16 digits, then progressive distillation
# 64 → 32 → 16 → 8 → 4 DDIM steps (docs/QUALITY.md's "progressive distillation 64→4" row).
# About 8 min on 2 idle CPU cores.  Run from the repository root:  sh examples/demo/make_checkpoint.sh
set -eu
SDK=${SDK:-.venv/bin/sdk}
WORK=${WORK:-build/demo_checkpoint}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}  # one thread: same numbers on any machine, and fast on busy cores
$SDK train --dataset digits16 --prediction v --steps 1500 --batch 128 --seed 0 --out "$WORK/teacher.pt"
$SDK distill --teacher "$WORK/teacher.pt" --start-steps 64 --steps 4 --iterations 400 --seed 0 \
    --out "$WORK/students"
cp "$WORK/students/student_4steps.pt" examples/demo/digits_4steps.pt
echo "wrote examples/demo/digits_4steps.pt"
