"""Attention latencies and the kernel that won each cell, in one JSON file per
GPU (`<gpu>/attention_latency.json`). Pure Python.

They are not CSV on purpose: blis-eval's loader reads every *.csv under the
GPU folder and reports any file outside the table layout as unrecognised, so
latency tables beside the MFU tables would fail `bench validate`. Keeping the
raw latencies lets anyone re-derive MFU against another peak later.
"""

from __future__ import annotations

import json
from pathlib import Path

from .csv_io import write_text_atomic

FORMAT = "blis-eval attention latency v1"
_PREFILL_FIELDS = ("seq_len", "latency_us", "backend")
_DECODE_FIELDS = ("batch", "kv_len", "latency_us", "backend")


def empty() -> dict:
    return {
        "format": FORMAT,
        "note": "Median latency in microseconds of the fastest kernel per cell; "
        "prefill uses the model's full heads, decode the per-GPU heads of TP <N>.",
        "prefill": {},
        "decode": {},
    }


def load(path: Path) -> dict:
    """The existing document, or an empty one when missing or not ours
    (a damaged file is replaced rather than stopping a long run)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty()
    ok = (
        isinstance(doc, dict)
        and doc.get("format") == FORMAT
        and isinstance(doc.get("prefill"), dict)
        and isinstance(doc.get("decode"), dict)
    )
    return doc if ok else empty()


def _merge(old: list, rows: list[tuple], fields: tuple[str, ...], key_len: int) -> list[dict]:
    table: dict[tuple, dict] = {}
    for rec in old:
        if isinstance(rec, dict) and all(f in rec for f in fields):
            table[tuple(rec[f] for f in fields[:key_len])] = rec
    for row in rows:
        rec = dict(zip(fields, row))
        rec["latency_us"] = round(float(rec["latency_us"]), 3)
        table[tuple(row[:key_len])] = rec
    return [table[k] for k in sorted(table)]


def add_prefill(doc: dict, key_name: str, rows: list[tuple]) -> None:
    """rows: (seq_len, latency_us, backend)."""
    doc["prefill"][key_name] = _merge(doc["prefill"].get(key_name, []), rows, _PREFILL_FIELDS, 1)


def add_decode(doc: dict, key_name: str, tp: int, rows: list[tuple]) -> None:
    """rows: (batch, kv_len, latency_us, backend)."""
    by_tp = doc["decode"].setdefault(key_name, {})
    by_tp[f"tp{tp}"] = _merge(by_tp.get(f"tp{tp}", []), rows, _DECODE_FIELDS, 2)


def save(path: Path, doc: dict) -> None:
    write_text_atomic(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
