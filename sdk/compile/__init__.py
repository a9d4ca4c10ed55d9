"""Stage 1, compile: model → lowered graph → generated C → firmware image, and the manifest
(build.json) every later stage reads. Also the precision policy, the toolchain lookup, the
bootloader image and the staged (all-or-nothing) build directory."""
