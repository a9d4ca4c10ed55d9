"""Diffusion: noise schedule, samplers, training and distillation of small denoisers."""
