"""Where each table goes, and its exact header.

This is the layout blis-eval's TypeScript MFU loader reads (src/mfu/layouts.ts,
checked by `blis-eval bench validate`):

    <gpu dir>/gemm_bench/gemm_fp16.csv                                m,k,n,latency_us,mfu
    <gpu dir>/mha_prefill/<H>-<KV>-<hd>/mha_prefill_fp16.csv          seq_len,mfu
    <gpu dir>/mha_decode/<H>-<KV>-<hd>/mha_decode_fp16_tp<N>.csv      batch,kv_len,mfu

<gpu dir> is `<out>/<gpu>`, <gpu> being the hardware_config key in lower case
(the loader finds the folder by the --hardware name, ignoring case); or `<out>`
itself when its last component already is that name (`--out bench_data/h100`).
"fp16" in the names is the project's word for the 16-bit table; the kernels
run in bf16, which is what vLLM serves these models in.

Beside them, in files the loader does not read (it reads every *.csv below the
GPU folder and rejects any it does not know, so nothing else may be *.csv):

    README.md                  conditions of the run
    attention_latency.json     raw attention latencies and the winning kernel per cell
    gemm_bench/gemm_fp8.tsv    fp8 GEMMs (tab-separated m,k,n,latency_us,mfu; MFU
                               against the fp8 peak). The project layout has no fp8
                               table: roofline-v2 runs FP8 checkpoints' GEMMs with
                               the 16-bit table at the fp8 peak.
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

FP8_DELIMITER = "\t"
README = "README.md"
LATENCY_JSON = "attention_latency.json"
# First line of every README.md this tool writes: marks a folder as ours.
README_MARK = "# MFU benchmark tables"


def gpu_root(out: Path, gpu_dir: str) -> Path:
    """The GPU folder: `out` itself when it is already named for the GPU, else out/gpu_dir."""
    if out.name.lower() == gpu_dir.lower():
        return out
    return out / gpu_dir


def gemm_csv(base: Path) -> Path:
    return base / "gemm_bench" / "gemm_fp16.csv"


def gemm_fp8_table(base: Path) -> Path:
    return base / "gemm_bench" / "gemm_fp8.tsv"


def prefill_csv(base: Path, key_name: str) -> Path:
    return base / "mha_prefill" / key_name / "mha_prefill_fp16.csv"


def decode_csv(base: Path, key_name: str, tp: int | str) -> Path:
    return base / "mha_decode" / key_name / f"mha_decode_fp16_tp{tp}.csv"


def latency_json(base: Path) -> Path:
    return base / LATENCY_JSON


def readme_path(base: Path) -> Path:
    return base / README


def _table_files(base: Path) -> list[Path]:
    out: list[Path] = []
    for sub in ("gemm_bench", "mha_prefill", "mha_decode"):
        if (base / sub).is_dir():
            out += [p for p in (base / sub).rglob("*") if p.is_file() and p.suffix in (".csv", ".tsv")]
    return sorted(out)


def table_rows(base: Path) -> dict[str, int]:
    """Every table under `base` (relative POSIX path) with its data-row count."""
    out: dict[str, int] = {}
    for p in _table_files(base):
        with p.open(encoding="utf-8") as handle:
            out[p.relative_to(base).as_posix()] = max(0, sum(1 for line in handle if line.strip()) - 1)
    return out


def written_by_us(base: Path) -> bool:
    readme = readme_path(base)
    try:
        with readme.open(encoding="utf-8") as handle:
            return handle.readline().startswith(README_MARK)
    except OSError:
        return False


def foreign_tables(base: Path) -> list[Path]:
    """Tables in `base` that this tool did not write (e.g. the shipped,
    imported reference tables): merging measured rows into them would make a
    folder of two origins that no README describes."""
    if written_by_us(base):
        return []
    return _table_files(base)


def clear(base: Path) -> list[Path]:
    """--fresh: remove what an earlier run or an import left in the GPU folder
    (tables, README.md, SOURCE.md, attention_latency.json); returns what went."""
    gone = _table_files(base)
    gone += [p for p in (readme_path(base), base / "SOURCE.md", latency_json(base)) if p.is_file()]
    for p in gone:
        p.unlink()
    for sub in ("mha_prefill", "mha_decode", "gemm_bench"):
        # Drop folders left empty, deepest first.
        root = base / sub
        if root.is_dir():
            for d in sorted((d for d in root.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
                if not any(d.iterdir()):
                    d.rmdir()
            if not any(root.iterdir()):
                root.rmdir()
    return gone
