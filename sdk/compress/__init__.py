"""Model compression for microcontrollers: 1-bit (binary) quantization-aware training."""
