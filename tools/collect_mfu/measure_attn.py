"""Attention latency: causal prefill by sequence length, decode by batch x
KV length. Every available kernel is timed per cell and the fastest kept.
torch is imported (through attn_kernels and gpu) inside functions only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from . import attn_kernels as kern
from . import gpu
from .shapes import AttnKey, DecodeTarget

Builder = Callable[[], Callable[[], object]]


@dataclass
class AttnRun:
    rows: list[tuple] = field(default_factory=list)  # (*cell, latency_us, backend)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        # The same backend failure repeats for every cell; report it once.
        if text not in self.notes:
            self.notes.append(text)


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:160] if text else ''}"


def _time_one(build: Builder, warmup: int, repeats: int) -> tuple[float, str]:
    """(latency, variant); the variant marks a kernel run in a degraded way."""
    fn = build()
    try:
        return gpu.time_us(fn, warmup, repeats), getattr(fn, "variant", "")
    finally:
        del fn
        gpu.release_memory()


def _fastest(
    run: AttnRun,
    tiers: list[list[tuple[str, Builder]]],
    warmup: int,
    repeats: int,
) -> tuple[float, str] | None:
    """Best (latency, label) over the first tier in which any kernel runs.
    Later tiers (slow generic kernels) are only tried when nothing faster works."""
    for tier in tiers:
        best: tuple[float, str] | None = None
        for label, build in tier:
            try:
                latency, variant = _time_one(build, warmup, repeats)
            except Exception as err:  # kernels raise RuntimeError, NotImplementedError, ValueError...
                gpu.release_memory()
                kind = "out of memory" if gpu.is_oom(err) else _first_line(err)
                run.note(f"{label}: {kind}")
                continue
            if best is None or latency < best[0]:
                best = (latency, label + variant)
        if best is not None:
            return best
    return None


def _tiers(with_flashinfer: bool, fi_build, sdpa_build) -> list[list[tuple[str, Builder]]]:
    fast: list[tuple[str, Builder]] = []
    if with_flashinfer:
        fast.append(("flashinfer", fi_build))
    slow: list[tuple[str, Builder]] = []
    for label, backend in kern.sdpa_backends():
        target = slow if label == "sdpa-efficient" else fast
        target.append((label, partial(sdpa_build, backend)))
    slow.append(("sdpa-auto", partial(sdpa_build, None)))
    return [fast, slow]


def measure_prefill(
    key: AttnKey,
    seqs: tuple[int, ...],
    warmup: int,
    repeats: int,
    progress: Callable[[str], None],
) -> AttnRun:
    """Prefill runs the model's full head counts (the table has no TP axis)."""
    run = AttnRun()
    fi = kern.flashinfer_available()
    h, kv, hd = key.heads, key.kv_heads, key.head_dim
    for seq in seqs:
        progress(f"prefill {key.name} seq={seq}")
        tiers = _tiers(
            fi,
            partial(kern.flashinfer_prefill, h, kv, hd, seq),
            lambda backend, s=seq: kern.sdpa_prefill(h, kv, hd, s, backend),
        )
        best = _fastest(run, tiers, warmup, repeats)
        if best is None:
            run.note(f"prefill {key.name} seq={seq}: no kernel ran, row skipped")
            continue
        run.rows.append((seq, best[0], best[1]))
    return run


def measure_decode(
    target: DecodeTarget,
    cells: list[tuple[int, int]],
    warmup: int,
    repeats: int,
    progress: Callable[[str], None],
) -> AttnRun:
    """Decode runs the per-GPU heads (heads / TP, KV heads / TP, at least 1)."""
    run = AttnRun()
    fi = kern.flashinfer_available()
    h, kv, hd = target.heads, target.kv_heads, target.key.head_dim
    progress(f"decode {target.key.name} tp{target.tp} (per GPU {h}-{kv}-{hd}): {len(cells)} cells")
    for batch, kv_len in cells:
        tiers = _tiers(
            fi,
            partial(kern.flashinfer_decode, h, kv, hd, batch, kv_len),
            lambda backend, b=batch, n=kv_len: kern.sdpa_decode(h, kv, hd, b, n, backend),
        )
        best = _fastest(run, tiers, warmup, repeats)
        if best is None:
            run.note(f"decode {target.key.name} tp{target.tp} batch={batch} kv={kv_len}: no kernel ran, skipped")
            continue
        run.rows.append((batch, kv_len, best[0], best[1]))
    return run
