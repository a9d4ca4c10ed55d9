#!/bin/sh
# Digits diffusion, end to end: teacher → progressive distillation to 4 steps → quality →
# firmware with the on-board sampler → samples made on the emulated board.
# Defaults reproduce docs/QUALITY.md's progressive rows (about 8 min on 2 cores); the
# environment variables make it smaller or move it (the test suite runs it tiny on `host`).
set -eu
SDK=${SDK:-sdk}
OUT=${OUT:-build/digits_diffusion}
TARGET=${TARGET:-cortex-m55}
PRECISION=${PRECISION:-fp16}
TRAIN_STEPS=${TRAIN_STEPS:-1500}
DISTILL_ITERATIONS=${DISTILL_ITERATIONS:-400}
EVAL_N=${EVAL_N:-256}
IMAGES=${IMAGES:-16}

# 1. Teacher: a TinyUNet (v-prediction, cosine schedule) on the 16x16 digits.
$SDK train --dataset digits16 --prediction v --steps "$TRAIN_STEPS" --batch 128 --out "$OUT/teacher.pt"
# 2. Progressive distillation 64 → 32 → … → 4 DDIM steps (one checkpoint per round).
$SDK distill --teacher "$OUT/teacher.pt" --start-steps 64 --steps 4 \
    --iterations "$DISTILL_ITERATIONS" --out "$OUT/students"
# 3. Quality of the 4-step student on the host (FD, KID, classifier confidence, PNG grid).
$SDK eval --checkpoint "$OUT/students/student_4steps.pt" --n "$EVAL_N" --png "$OUT/host_samples.png"
# 4. Firmware: the network with its time path tabulated for the 4 steps, plus the C sampler.
$SDK --build-dir "$OUT/build" build --target "$TARGET" --precision "$PRECISION" \
    --model "$OUT/students/student_4steps.pt"
# 5. Samples made on the (emulated) board from its own noise generator, as a PNG grid;
#    validate then checks every step and whole samples against the host sampler.
$SDK --build-dir "$OUT/build" generate --target "$TARGET" --emulator --n "$IMAGES" \
    --png "$OUT/board_samples.png"
$SDK --build-dir "$OUT/build" validate --target "$TARGET" --emulator --samples 4
