# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both install what is missing (Debian packages, then .venv) before they run: the demo only
# torch (CPU) and this package; the tests also the extras test, data, mobile (about 1 GB), diffusers, photos and farm.

PYTHON ?= python3
VENV := .venv
SDK := $(VENV)/bin/sdk
TARGET ?= rv32
# A 4-step distilled digits diffusion model (350 KB; examples/demo/make_checkpoint.sh remakes it).
DEMO_MODEL := examples/demo/digits_4steps.pt
APT_PACKAGES := clang lld llvm qemu-system-misc picolibc-riscv64-unknown-elf \
	gcc-arm-none-eabi qemu-system-arm picolibc-arm-none-eabi
# A tool from each package above; apt runs only when one is missing.
REQUIRED_TOOLS := clang ld.lld llvm-readelf qemu-system-riscv32 arm-none-eabi-gcc qemu-system-arm
PICOLIBC_RV := /usr/lib/picolibc/riscv64-unknown-elf
PICOLIBC_ARM := /usr/lib/picolibc/arm-none-eabi
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-demo system-deps demo test bench clean

setup: system-deps $(VENV)/.installed
setup-demo: system-deps $(VENV)/.base

system-deps:
	@missing=""; \
	for tool in $(REQUIRED_TOOLS); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	for dir in $(PICOLIBC_RV) $(PICOLIBC_ARM); do [ -d $$dir ] || missing="$$missing $$dir"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (missing:$$missing)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q torch==2.13.0 -e .
	touch $@

# torchao's pure-Python wheel first (see pyproject.toml's mobile extra): --platform any makes pip
# take the py3-none-any wheel instead of the CUDA-built x86-64 one.
$(VENV)/.installed: $(VENV)/.base
	rm -rf $(VENV)/wheels && $(VENV)/bin/pip download -q --no-deps --platform any --only-binary=:all: \
	  -d $(VENV)/wheels torchao==0.18.0
	$(VENV)/bin/pip install -q --no-deps torch==2.13.0 $(VENV)/wheels/torchao-0.18.0-py3-none-any.whl
	$(VENV)/bin/pip install -q torch==2.13.0 -e '.[test,data,mobile,diffusers,photos]'
	$(VENV)/bin/pip install -q torch==2.13.0 -e '.[farm]' || \
	  echo "note: labgrid (extra 'farm') did not install; the labgrid farm test will say so and skip"
	touch $@

demo: setup-demo
	$(SDK) build --target $(TARGET) --model $(DEMO_MODEL)
	$(SDK) flash --target $(TARGET) --emulator
	$(SDK) validate --target $(TARGET) --emulator --samples 4
	$(SDK) generate --target $(TARGET) --n 16
	@echo "pictures: build/$(TARGET)/validate.png (each step's state → the clean digit torch and the board"
	@echo "          make of it, and their difference) and build/$(TARGET)/samples.png (16 digits drawn on the board)"

test: setup
	$(VENV)/bin/python -m pytest -q -n 2 --dist loadgroup --durations=30

# The fast tier: tests marked unit and not slow (IR, planner, protocol, tolerance, metrics,
# the CLI's argument errors); no compiler, emulator or board. Under a minute on 2 cores.
.PHONY: test-fast
test-fast: setup
	$(VENV)/bin/python -m pytest -q -m "unit and not slow"

bench: setup
	$(SDK) bench --matrix --output docs/BENCHMARKS.md

clean:
	rm -rf build
