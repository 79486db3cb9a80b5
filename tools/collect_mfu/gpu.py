"""The GPU side: timing with CUDA events and what to record about the device.

torch is imported inside the functions only, so this module can be imported
(and the rest of the package tested) on a machine without PyTorch.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

# Larger than the L2 of any current GPU (H100 50 MB, B200 126 MB). Zeroing it
# between repeats evicts the operands, as in a real model where the other
# layers' weights pass through L2 between two calls of the same GEMM.
FLUSH_BYTES = 256 * 1024 * 1024
_flush_buffer = None


def _flush():
    global _flush_buffer
    import torch

    if _flush_buffer is None:
        _flush_buffer = torch.empty(FLUSH_BYTES, dtype=torch.uint8, device="cuda")
    _flush_buffer.zero_()


def time_us(fn: Callable[[], object], warmup: int, repeats: int, flush_l2: bool = True) -> float:
    """Median GPU time of `fn` in microseconds.

    All repeats are queued before one synchronize, so the CPU runs ahead and
    launch overhead is not in the measurement; each repeat is bracketed by its
    own pair of events, and the median resists the odd slow repeat. Clocks
    are left as the driver sets them (no locking), as in production.
    """
    import torch

    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    for start, end in zip(starts, ends):
        if flush_l2:
            _flush()
        start.record()
        fn()
        end.record()
    torch.cuda.synchronize()
    return statistics.median(s.elapsed_time(e) * 1000.0 for s, e in zip(starts, ends))


def free_memory_bytes() -> int:
    import torch

    free, _total = torch.cuda.mem_get_info()
    return int(free)


def release_memory() -> None:
    """Return cached blocks so the next shape sees the real free memory."""
    import gc

    import torch

    gc.collect()
    torch.cuda.empty_cache()


def is_oom(err: BaseException) -> bool:
    import torch

    return isinstance(err, torch.cuda.OutOfMemoryError) or "out of memory" in str(err).lower()


@dataclass
class DeviceInfo:
    name: str
    capability: tuple[int, int]
    memory_gib: float
    driver: str
    cuda: str
    torch: str
    flashinfer: str | None

    @property
    def supports_fp8(self) -> bool:
        # FP8 tensor cores start with Ada (8.9) and Hopper (9.0).
        return self.capability >= (8, 9)


def _driver_version() -> str:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return "unknown (nvidia-smi not found)"
    try:
        out = subprocess.run(
            [exe, "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=30, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (nvidia-smi failed)"
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"


def flashinfer_version() -> str | None:
    try:
        import flashinfer
    except Exception:  # ImportError, or a broken build that fails on import
        return None
    return str(getattr(flashinfer, "__version__", "unknown"))


def device_info() -> DeviceInfo:
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("no CUDA device visible to PyTorch (use --dry-run to plan without a GPU)")
    props = torch.cuda.get_device_properties(0)
    return DeviceInfo(
        name=torch.cuda.get_device_name(0),
        capability=tuple(torch.cuda.get_device_capability(0)),
        memory_gib=props.total_memory / 2**30,
        driver=_driver_version(),
        cuda=str(torch.version.cuda),
        torch=str(torch.__version__),
        flashinfer=flashinfer_version(),
    )
