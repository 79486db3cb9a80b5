"""MFU benchmark collector for roofline v2 (issue #7).

Measures GEMM and attention latency on the local GPU and writes the
`bench_data/<gpu>/` tables that blis-eval's MFU database reads. Only the
`measure_*`, `attn_kernels` and `gpu` modules touch PyTorch, and only inside
functions, so the planner, writers and CLI dry-run work on a machine without a
GPU. See README.md beside this file.
"""
