"""Where each table goes under the output root, and its exact header.

This is the layout blis-eval's TypeScript MFU loader reads:

    <root>/<gpu>/gemm_bench/gemm_fp16.csv                     m,k,n,latency_us,mfu
    <root>/<gpu>/gemm_bench/gemm_fp8.csv                      m,k,n,latency_us,mfu
    <root>/<gpu>/mha_prefill/<H>-<KV>-<hd>/mha_prefill_fp16.csv       seq_len,mfu
    <root>/<gpu>/mha_decode/<H>-<KV>-<hd>/mha_decode_fp16_tp<N>.csv   batch,kv_len,mfu

<gpu> is the hardware_config key in lower case (the loader lower-cases the
--hardware name). "fp16" in the names is the project's word for the 16-bit
table; the kernels run in bf16, which is what vLLM serves these models in.

Beside them: README.md (conditions of the run) and attention_latency.json
(raw attention latencies; not CSV because the loader reads every *.csv here).
"""

from __future__ import annotations

from pathlib import Path

GEMM_HEADER = ("m", "k", "n", "latency_us", "mfu")
PREFILL_HEADER = ("seq_len", "mfu")
DECODE_HEADER = ("batch", "kv_len", "mfu")

# How many leading columns identify a row (used when merging into old files).
GEMM_KEY_COLUMNS = 3
PREFILL_KEY_COLUMNS = 1
DECODE_KEY_COLUMNS = 2


def gpu_root(root: Path, gpu_dir: str) -> Path:
    return root / gpu_dir


def gemm_csv(root: Path, gpu_dir: str, dtype: str) -> Path:
    if dtype not in ("fp16", "fp8"):
        raise ValueError(f"GEMM table dtype must be fp16 or fp8, got {dtype!r}")
    return gpu_root(root, gpu_dir) / "gemm_bench" / f"gemm_{dtype}.csv"


def prefill_csv(root: Path, gpu_dir: str, key_name: str) -> Path:
    return gpu_root(root, gpu_dir) / "mha_prefill" / key_name / "mha_prefill_fp16.csv"


def decode_csv(root: Path, gpu_dir: str, key_name: str, tp: int) -> Path:
    return gpu_root(root, gpu_dir) / "mha_decode" / key_name / f"mha_decode_fp16_tp{tp}.csv"


def latency_json(root: Path, gpu_dir: str) -> Path:
    return gpu_root(root, gpu_dir) / "attention_latency.json"


def readme_path(root: Path, gpu_dir: str) -> Path:
    return gpu_root(root, gpu_dir) / "README.md"
