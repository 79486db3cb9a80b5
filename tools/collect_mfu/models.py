"""Read `model_configs/<name>/config.json` (HuggingFace format) into the few
architecture figures the shape planner needs. Pure Python, no torch."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

# HF spells the routed-expert count differently per family (Mixtral/Llama 4,
# Qwen MoE, DeepSeek); any of them marks the model as MoE.
_EXPERT_COUNT_FIELDS = ("num_local_experts", "num_experts", "n_routed_experts")


class ModelConfigError(ValueError):
    """A config file is missing or lacks a field the planner needs."""


@dataclass(frozen=True)
class ModelArch:
    name: str
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    layers: int
    # Dense MLP widths: usually one (Llama 4: `intermediate_size_mlp`).
    dense_intermediates: tuple[int, ...]
    # Per-expert MLP width, or None for a dense model.
    expert_intermediate: int | None
    num_experts: int
    experts_per_token: int
    # Always-active shared experts of an MoE layer, as one fused MLP: their
    # total width (DeepSeek n_shared_experts x moe_intermediate_size, Qwen MoE
    # shared_expert_intermediate_size, Llama 4 one expert of intermediate_size).
    shared_intermediate: int | None = None


def _text_fields(raw: dict) -> dict:
    # Multimodal wrappers (Llama 4) keep the language model under text_config;
    # its fields win over the wrapper's, the rest of the wrapper still counts.
    text = raw.get("text_config")
    if isinstance(text, dict):
        merged = {k: v for k, v in raw.items() if k != "text_config"}
        merged.update(text)
        return merged
    return raw


def _positive_int(fields: dict, key: str | tuple[str, ...], where: str) -> int:
    keys = (key,) if isinstance(key, str) else key
    for k in keys:
        value = _optional_int(fields, k)
        if value is not None:
            return value
    value = fields.get(keys[0])
    raise ModelConfigError(f"{where}: field '{keys[0]}' must be a positive integer, got {value!r}")


def _optional_int(fields: dict, key: str) -> int | None:
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _first_int(fields: dict, keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = _optional_int(fields, key)
        if value is not None:
            return value
    return None


def _is_llama4(raw: dict, fields: dict) -> bool:
    names = [str(a) for a in (raw.get("architectures") or fields.get("architectures") or []) if isinstance(a, str)]
    types = [str(t) for t in (raw.get("model_type"), fields.get("model_type")) if isinstance(t, str)]
    return any("llama4" in n.lower() for n in names) or any(t.startswith("llama4") for t in types)


def arch_from_config(name: str, raw: dict, where: str = "config.json") -> ModelArch:
    """Normalise one HF config dict; `where` names the file in errors.

    Field spellings and defaults follow blis-eval's own reader
    (src/config/model-config.ts), so the shapes planned here are the ones the
    simulator looks up.
    """
    f = _text_fields(raw)
    hidden = _positive_int(f, "hidden_size", where)
    heads = _positive_int(f, "num_attention_heads", where)
    # Missing or 0 KV heads means plain multi-head attention (BLIS does the same).
    kv_heads = _first_int(f, ("num_key_value_heads", "num_kv_heads", "multi_query_group_num")) or heads
    head_dim = _optional_int(f, "head_dim") or hidden // heads
    layers = _positive_int(f, "num_hidden_layers", where)
    raw_ff = f.get("intermediate_size", f.get("ffn_hidden_size"))
    # intermediate_size 0 means 4 x hidden, as in BLIS.
    if raw_ff == 0 and not isinstance(raw_ff, bool):
        intermediate = 4 * hidden
    else:
        intermediate = _positive_int(f, ("intermediate_size", "ffn_hidden_size"), where)

    llama4 = _is_llama4(raw, f)
    extra_mlp = _optional_int(f, "intermediate_size_mlp")
    num_experts = max([_optional_int(f, k) or 0 for k in _EXPERT_COUNT_FIELDS])
    moe_intermediate = _optional_int(f, "moe_intermediate_size")
    is_moe = num_experts > 1 or moe_intermediate is not None
    # Mixtral and Llama 4 have no moe_intermediate_size: experts use intermediate_size.
    expert_intermediate = (moe_intermediate or intermediate) if is_moe else None
    top_k = _optional_int(f, "num_experts_per_tok") or (1 if is_moe else 0)

    shared: int | None = None
    if is_moe:
        if llama4:
            shared = intermediate  # one shared expert as wide as a routed one
        elif _optional_int(f, "shared_expert_intermediate_size"):
            shared = _optional_int(f, "shared_expert_intermediate_size")
        elif _optional_int(f, "n_shared_experts") and expert_intermediate:
            shared = _optional_int(f, "n_shared_experts") * expert_intermediate

    if llama4 and extra_mlp is not None:
        # Llama 4: intermediate_size is the expert width, intermediate_size_mlp the dense MLP's.
        dense = [extra_mlp]
    else:
        dense = [intermediate]
        if extra_mlp is not None and extra_mlp not in dense:
            dense.append(extra_mlp)

    return ModelArch(
        name=name,
        hidden=hidden,
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        layers=layers,
        dense_intermediates=tuple(dense),
        expert_intermediate=expert_intermediate,
        num_experts=num_experts,
        experts_per_token=top_k,
        shared_intermediate=shared,
    )


def list_model_names(configs_dir: Path) -> list[str]:
    """Folder names under `configs_dir` that hold a config.json, sorted."""
    if not configs_dir.is_dir():
        return []
    return sorted(p.name for p in configs_dir.iterdir() if (p / "config.json").is_file())


def select_models(available: list[str], patterns: list[str] | None) -> list[str]:
    """Apply `--models` (exact names or shell globs); unknown patterns are an error
    because a typo would otherwise silently measure nothing."""
    if not patterns:
        return list(available)
    chosen: list[str] = []
    for pattern in patterns:
        hits = [n for n in available if n == pattern or fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            raise ModelConfigError(f"--models: no model config matches '{pattern}'")
        chosen.extend(h for h in hits if h not in chosen)
    return sorted(chosen)


def load_models(configs_dir: Path, patterns: list[str] | None = None) -> list[ModelArch]:
    names = list_model_names(configs_dir)
    if not names:
        raise ModelConfigError(f"{configs_dir}: no <model>/config.json folders found")
    archs = []
    for name in select_models(names, patterns):
        path = configs_dir / name / "config.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelConfigError(f"{path}: cannot read JSON ({err})") from err
        if not isinstance(raw, dict):
            raise ModelConfigError(f"{path}: top level must be a JSON object")
        archs.append(arch_from_config(name, raw, str(path)))
    return archs
