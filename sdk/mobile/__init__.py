"""Phones and Linux-class boards: export to ONNX (ONNX Runtime) and TFLite (LiteRT),
int8 with diffusion-aware calibration, and validation in the real runtimes."""
