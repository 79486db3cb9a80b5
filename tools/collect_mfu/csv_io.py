"""Atomic CSV/text writing with merge into existing tables. Pure Python.

Writes go to a temporary file in the destination folder, are fsynced, then
renamed over the target, so a crash or a concurrent reader never sees half a
table. Re-running for a subset of models merges: rows already in the file
are kept unless the new run measured the same key.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

# Fixed decimals keep files diffable between runs; 6 decimals keep small decode
# MFUs non-zero (the loader treats MFU 0 as "missing").
_DECIMALS = {"mfu": 6, "latency_us": 3}

Row = Sequence[object]


def format_value(column: str, value: object) -> str:
    if isinstance(value, bool):
        raise TypeError(f"column {column}: booleans are not table values")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{_DECIMALS.get(column, 6)}f}"
    return str(value)


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        # Leave no stray temp file behind, whatever went wrong.
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def render_csv(header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _key(cells: Sequence[str], key_columns: int) -> tuple[int, ...]:
    return tuple(int(float(c)) for c in cells[:key_columns])


def read_existing(
    path: Path, header: Sequence[str], key_columns: int, delimiter: str = ","
) -> dict[tuple[int, ...], list[str]]:
    """Rows of an existing table with the same header; anything else (missing
    file, other header, unparsable key) is ignored and will be overwritten."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle, delimiter=delimiter))
    if not lines or tuple(lines[0]) != tuple(header):
        return {}
    out: dict[tuple[int, ...], list[str]] = {}
    for cells in lines[1:]:
        if len(cells) != len(header):
            continue
        try:
            out[_key(cells, key_columns)] = cells
        except ValueError:
            continue
    return out


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Row],
    key_columns: int,
    merge: bool = True,
    delimiter: str = ",",
) -> int:
    """Write `rows` (raw values) sorted by their key columns; returns the row count."""
    table = read_existing(path, header, key_columns, delimiter) if merge else {}
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"{path}: row {row!r} does not match header {','.join(header)}")
        cells = [format_value(col, v) for col, v in zip(header, row)]
        table[_key(cells, key_columns)] = cells
    ordered = [table[k] for k in sorted(table)]
    write_text_atomic(path, render_csv(header, ordered, delimiter))
    return len(ordered)
