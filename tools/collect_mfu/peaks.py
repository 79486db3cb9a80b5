"""GPU identification and peak TFLOP/s lookup in hardware_config.json. Pure Python.

The file's layout is still settling, so the lookup is deliberately lenient:
the GPU entry is found by case- and punctuation-insensitive name or alias,
optionally under one wrapper object, and the peak fields are read at the top
of the entry or one level down.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# hardware_config.json spells them TFlopsPeak (dense bf16) and TFlopsFP8 (dense
# fp8; 0 where the GPU has none) at the top of each GPU entry.
BF16_FIELDS = ("TFlopsPeak", "TFlopsBF16", "bf16_tflops")
FP8_FIELDS = ("TFlopsFP8", "TFlopsPeakFP8", "fp8_tflops")
BW_FIELDS = ("BwPeakTBs",)
MEMORY_FIELDS = ("MemoryGiB",)
# Board variants whose peaks differ from the SXM part of the same family.
_VARIANTS = ("PCIE", "NVL")
ALIAS_FIELDS = ("aliases", "alias", "names")

# Marketing family inside torch.cuda.get_device_name(), longest names first so
# "H200" is not read as "H20" and "L40S" not as "L40" / "L4".
_FAMILIES = [
    ("GB200", r"GB200"), ("GH200", r"GH200"), ("B200", r"B200"), ("B100", r"B100"),
    ("H200", r"H200"), ("H100", r"H100"), ("H800", r"H800"), ("H20", r"H20"),
    ("A100", r"A100"), ("A800", r"A800"), ("A10G", r"A10G"), ("A30", r"A30"), ("A10", r"A10"),
    ("L40S", r"L40S"), ("L40", r"L40"), ("L4", r"L4"),
    ("RTX4090", r"RTX\s*4090"), ("RTX6000ADA", r"RTX\s*6000\s*ADA"),
    ("MI325X", r"MI325X"), ("MI300X", r"MI300X"),
]


class PeakError(ValueError):
    """No usable peak: the GPU is unknown and no override was given."""


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect_family(device_name: str) -> str | None:
    upper = device_name.upper()
    for family, pattern in _FAMILIES:
        if re.search(rf"(?<![A-Z0-9]){pattern}(?![A-Z0-9])", upper):
            # The A100 comes in 40 and 80 GB with other bandwidths; the device name says which.
            memory = re.search(r"(?<![0-9])(40|80)\s*GB", upper) if family == "A100" else None
            return f"A100-{memory.group(1)}GB" if memory else family
    return None


def _aliases(entry: dict) -> list[str]:
    out: list[str] = []
    for key in ALIAS_FIELDS:
        value = entry.get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


def _entries(config: dict) -> list[list[tuple[str, dict]]]:
    """Candidate GPU entries: the top level first, then one wrapper level down."""
    top = [(k, v) for k, v in config.items() if isinstance(v, dict)]
    nested = [(k2, v2) for _, v in top for k2, v2 in v.items() if isinstance(v2, dict)]
    return [top, nested]


def find_gpu_entry(config: dict, name: str) -> tuple[str, dict] | None:
    """(key, entry) for `name`: exact key, then alias, then a key that starts
    with the name (family "A100" finds "A100-SXM"), at each level in turn."""
    wanted = norm(name)
    if not wanted:
        return None
    for level in _entries(config):
        for key, entry in level:
            if norm(key) == wanted:
                return key, entry
        for key, entry in level:
            if wanted in (norm(a) for a in _aliases(entry)):
                return key, entry
        # The family must end at a separator: "A10" must not pick "A100-SXM".
        boundary = re.compile(rf"{re.escape(name.strip())}(?![A-Za-z0-9])", re.IGNORECASE)
        prefixed = sorted(k for k, _ in level if boundary.match(k))
        if prefixed:
            return prefixed[0], dict(level)[prefixed[0]]
    # A memory-qualified family ("A100-80GB") in a file that names only the family's part.
    family = re.sub(r"-\d+GB$", "", name.strip(), flags=re.IGNORECASE)
    return find_gpu_entry(config, family) if family != name.strip() else None


def _number(entry: dict, fields: tuple[str, ...]) -> float | None:
    lowered = {k.lower(): v for k, v in entry.items()}
    for f in fields:
        value = lowered.get(f.lower())
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def peak_from_entry(entry: dict, fields: tuple[str, ...]) -> float | None:
    found = _number(entry, fields)
    if found is not None:
        return found
    for key in sorted(entry):
        child = entry[key]
        if isinstance(child, dict):
            found = _number(child, fields)
            if found is not None:
                return found
    return None


@dataclass
class Peaks:
    gpu_key: str  # hardware_config key (or the given name); its lower case names the output folder
    bf16_tflops: float
    fp8_tflops: float
    source: str
    warnings: list[str] = field(default_factory=list)
    bw_tbs: float | None = None  # BwPeakTBs, for time estimates only
    memory_gib: float | None = None

    @property
    def dir_name(self) -> str:
        return dir_name_for(self.gpu_key)


def dir_name_for(gpu_key: str) -> str:
    """Output folder for a GPU: the loader lower-cases the --hardware name."""
    return re.sub(r"[^a-z0-9._-]+", "-", gpu_key.lower()).strip("-")


def resolve_peaks(
    config: dict | None,
    gpu_name: str,
    peak_tflops: float | None = None,
    peak_tflops_fp8: float | None = None,
    config_label: str = "hardware_config.json",
) -> Peaks:
    """Peaks for `gpu_name` (a hardware_config key, alias, or family)."""
    hit = find_gpu_entry(config, gpu_name) if config else None
    key, entry = hit if hit else (gpu_name, {})
    warnings: list[str] = []
    bf16 = peak_tflops if peak_tflops is not None else peak_from_entry(entry, BF16_FIELDS)
    if bf16 is None:
        where = f"entry '{key}' of {config_label}" if hit else f"no entry for '{gpu_name}' in {config_label}"
        raise PeakError(f"no bf16 peak ({'/'.join(BF16_FIELDS)}): {where}; pass --peak-tflops")
    fp8 = peak_tflops_fp8 if peak_tflops_fp8 is not None else peak_from_entry(entry, FP8_FIELDS)
    if fp8 is None:
        # Hopper and Ada tensor cores run dense fp8 at twice the bf16 rate.
        fp8 = 2.0 * bf16
        warnings.append(f"no fp8 peak for '{key}'; fp8 MFU uses 2 x bf16 peak = {fp8:g} TFLOP/s")
    if peak_tflops is not None:
        source = "--peak-tflops"
    else:
        source = f"{config_label} entry '{key}'"
    return Peaks(key, bf16, fp8, source, warnings, _number(entry, BW_FIELDS), _number(entry, MEMORY_FIELDS))


def variant_warning(device_name: str, gpu_key: str, entry: dict | None) -> str | None:
    """A warning when the device is a PCIe/NVL board but the hardware_config
    entry describes another variant (e.g. "NVIDIA H100 PCIe" found the SXM
    entry "H100"): its peak would be wrong and every MFU scaled by it."""
    upper = device_name.upper()
    described = " ".join([gpu_key, str((entry or {}).get("name", "")), *_aliases(entry or {})]).upper()
    for variant in _VARIANTS:
        if variant in upper and variant not in described:
            return (f"device '{device_name}' is a {variant} board but hardware_config entry '{gpu_key}' is not;"
                    " its peak may be wrong for this GPU: pass --peak-tflops / --peak-tflops-fp8"
                    " (or add an entry and pass --gpu)")
    return None


def load_hardware_config(path: Path) -> dict | None:
    """The parsed file, or None when it does not exist (overrides may suffice)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PeakError(f"{path}: top level must be a JSON object keyed by GPU name")
    return data
