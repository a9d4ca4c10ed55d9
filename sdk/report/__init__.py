"""Stage 4, report: benchmarks (instructions per layer), the generated docs
(docs/BENCHMARKS.md, docs/KERNELS.md) and pictures."""
