import json
import tempfile
import unittest
from pathlib import Path

import _paths
from collect_mfu import shapes
from collect_mfu.models import arch_from_config, load_models
from collect_mfu.shapes import (
    V2_TP,
    AttnKey,
    DecodeTarget,
    Origin,
    build_plan,
    decode_cells,
    projections,
    roofline_v2_gemms,
    split_heads,
)


def llama8b():
    return load_models(_paths.MODEL_CONFIGS, ["llama-3.1-8b-instruct"])[0]


class Projections(unittest.TestCase):
    def test_llama_8b_tp1(self):
        self.assertEqual(
            projections(llama8b(), 1),
            [("qkv", 4096, 6144), ("o", 4096, 4096), ("gate_up", 4096, 28672), ("down", 14336, 4096)],
        )

    def test_llama_8b_tp2(self):
        self.assertEqual(
            projections(llama8b(), 2),
            [("qkv", 4096, 3072), ("o", 2048, 4096), ("gate_up", 4096, 14336), ("down", 7168, 4096)],
        )

    def test_kv_heads_replicate_when_fewer_than_tp(self):
        m = arch_from_config("q", {"hidden_size": 3584, "num_attention_heads": 28, "num_key_value_heads": 4,
                                   "num_hidden_layers": 1, "intermediate_size": 18944})
        self.assertEqual(split_heads(m, 4), (7, 1))
        self.assertEqual(projections(m, 4)[0], ("qkv", 3584, (7 + 2) * 128))
        self.assertIsInstance(split_heads(m, 8), str)  # 28 heads cannot split 8 ways
        self.assertEqual(projections(m, 8), [])

    def test_moe_adds_expert_projections(self):
        (qwen,) = load_models(_paths.MODEL_CONFIGS, ["qwen3-30b-a3b"])
        names = {p[0]: p[1:] for p in projections(qwen, 2)}
        self.assertEqual(names["expert_gate_up"], (2048, 768))
        self.assertEqual(names["expert_down"], (384, 2048))
        self.assertEqual(names["router"], (2048, 128))  # replicated: not split by TP
        self.assertNotIn("shared_gate_up", names)

    def test_llama4_shared_expert_is_split_by_tp(self):
        (scout,) = load_models(_paths.MODEL_CONFIGS, ["llama-4-scout*"])
        names = {p[0]: p[1:] for p in projections(scout, 4)}
        self.assertEqual(names["shared_gate_up"], (5120, 2 * 8192 // 4))
        self.assertEqual(names["shared_down"], (8192 // 4, 5120))
        self.assertEqual(names["gate_up"], (5120, 2 * 16384 // 4))


class RooflineV2Shapes(unittest.TestCase):
    """The whole, unfused weights src/latency/roofline-v2.ts looks MFU up for."""

    def test_dense_model(self):
        self.assertEqual(
            roofline_v2_gemms(llama8b()),
            [("q", 4096, 4096), ("k/v", 4096, 1024), ("o", 4096, 4096), ("gate/up", 4096, 14336),
             ("down", 14336, 4096)],
        )

    def test_moe_model_and_own_head_dim(self):
        (qwen,) = load_models(_paths.MODEL_CONFIGS, ["qwen3-30b-a3b"])
        # Qwen3 sets head_dim 128 (hidden/heads would be 64): q is heads x head_dim wide.
        self.assertEqual(
            roofline_v2_gemms(qwen),
            [("q", 2048, 4096), ("k/v", 2048, 512), ("o", 4096, 2048), ("gate/up", 2048, 6144),
             ("down", 6144, 2048), ("router", 2048, 128), ("expert_gate/up", 2048, 768),
             ("expert_down", 768, 2048)],
        )

    def test_in_every_plan_once_per_model(self):
        plan = build_plan([llama8b()], (2,), quick=True)
        self.assertIn(Origin("llama-3.1-8b-instruct", V2_TP, "k/v"), plan.gemm[(4096, 1024)])
        self.assertEqual(Origin("m", V2_TP, "q").label(), "m roofline-v2 q")
        self.assertEqual(Origin("m", 2, "qkv").label(), "m tp2 qkv")
        both = build_plan([llama8b()], (1, 2))
        self.assertEqual(len(both.gemm[(4096, 14336)]), 2)  # v2 gate/up once, tp2 gate_up once


class PlanTests(unittest.TestCase):
    def test_documented_m_grid(self):
        self.assertEqual(shapes.M_GRID[0], 1)
        self.assertEqual(shapes.M_GRID[-1], 16384)
        for chunk in (256, 512, 1024, 2048, 4096, 8192, 384, 1536, 3072, 6144, 12288):
            self.assertIn(chunk, shapes.M_GRID)
        self.assertEqual(list(shapes.M_GRID), sorted(set(shapes.M_GRID)))

    def test_shapes_are_deduplicated_across_models_and_tps(self):
        models = load_models(_paths.MODEL_CONFIGS, ["llama-3.1-8b-instruct", "mixtral-8x7b-v0.1"])
        plan = build_plan(models, (1, 2))
        shapes_list = plan.gemm_shapes()
        self.assertEqual(len(shapes_list), len(set(shapes_list)))
        # Mixtral shares attention and its expert width with Llama 3.1 8B.
        origins = plan.gemm[(4096, 6144)]
        self.assertEqual({o.model for o in origins}, {"llama-3.1-8b-instruct", "mixtral-8x7b-v0.1"})
        self.assertIn((4096, 3072), shapes_list)
        self.assertIn((4096, 8), shapes_list)  # Mixtral's router
        self.assertEqual(len(plan.gemm_points()), len(shapes_list) * len(shapes.M_GRID))
        self.assertEqual(plan.prefill_keys, [AttnKey(32, 8, 128)])
        self.assertEqual(
            plan.decode_targets,
            [DecodeTarget(AttnKey(32, 8, 128), 1, 32, 8), DecodeTarget(AttnKey(32, 8, 128), 2, 16, 4)],
        )

    def test_quick_is_a_subset_of_full(self):
        models = load_models(_paths.MODEL_CONFIGS)
        full, quick = build_plan(models), build_plan(models, quick=True)
        self.assertTrue(set(quick.gemm_points()) < set(full.gemm_points()))
        self.assertTrue(set(quick.m_grid) < set(full.m_grid))
        self.assertTrue(set(quick.tps) < set(full.tps))
        self.assertTrue(set(quick.prefill_seq) < set(full.prefill_seq))
        self.assertTrue(set(quick.decode_batch) < set(full.decode_batch))
        self.assertTrue(set(quick.decode_kv) < set(full.decode_kv))
        self.assertTrue(set(quick.prefill_keys) <= set(full.prefill_keys))
        self.assertTrue(set(quick.decode_targets) < set(full.decode_targets))

    def test_tp_filter_and_quick_never_empty(self):
        models = [llama8b()]
        self.assertEqual(build_plan(models, (4,)).tps, (4,))
        self.assertEqual(build_plan(models, (8, 4), quick=True).tps, (4,))
        self.assertEqual(build_plan(models, (2, 8), quick=True).tps, (2,))

    def test_skipped_tp_is_reported(self):
        models = load_models(_paths.MODEL_CONFIGS, ["qwen2.5-7b-instruct"])
        plan = build_plan(models, (8,))
        self.assertEqual(plan.gemm, {})
        self.assertEqual(len(plan.skipped), 1)
        self.assertIn("TP8", plan.skipped[0])

    def test_decode_cells_respect_memory_budget(self):
        t = DecodeTarget(AttnKey(32, 8, 128), 1, 32, 8)
        # K+V bf16: 2 * batch * kv_len * 8 heads * 128 * 2 bytes
        self.assertEqual(shapes.decode_kv_bytes(t, 2, 1024), 2 * 2 * 1024 * 8 * 128 * 2)
        cells = decode_cells(t, (1, 512), (1024, 131072), budget_bytes=2**31)  # (512, 1024) is exactly 2 GiB
        self.assertEqual(cells, [(1, 1024), (1, 131072), (512, 1024)])
        self.assertEqual(len(decode_cells(t, (1, 512), (1024, 131072), None)), 4)


class RepoModelConfigs(unittest.TestCase):
    def test_every_shipped_config_plans_with_its_roofline_v2_shapes(self):
        models = load_models(_paths.REPO / "model_configs")
        self.assertGreaterEqual(len(models), 17)
        plan = build_plan(models, quick=True)
        for m in models:
            for proj, k, n in roofline_v2_gemms(m):
                self.assertIn(Origin(m.name, V2_TP, proj), plan.gemm[(k, n)], m.name)
        by_name = {m.name: m for m in models}
        deepseek = by_name["deepseek-v2-lite"]
        self.assertEqual((deepseek.shared_intermediate, deepseek.num_experts), (2 * 1408, 64))
        self.assertIn(("shared_gate/up", 2048, 2816), roofline_v2_gemms(deepseek))


@unittest.skipUnless((_paths.SHARED / "data" / "model_facts.json").is_file(), "shared/ model facts absent")
class AllSeventeenModels(unittest.TestCase):
    def test_every_model_plans(self):
        facts = json.loads((_paths.SHARED / "data" / "model_facts.json").read_text())["models"]
        with tempfile.TemporaryDirectory() as tmp:
            for name, fields in facts.items():
                (Path(tmp) / name).mkdir()
                (Path(tmp) / name / "config.json").write_text(json.dumps(fields))
            models = load_models(Path(tmp))
        self.assertEqual(len(models), len(facts))
        plan = build_plan(models)
        self.assertEqual(plan.tps, (1, 2, 4, 8))
        self.assertIn(AttnKey(64, 64, 192), plan.prefill_keys)  # GLM sets head_dim explicitly
        self.assertEqual(plan.skipped, ["qwen2.5-7b-instruct TP8: 28 attention heads not divisible by TP 8"])
        for k, n in plan.gemm_shapes():
            self.assertGreater(k, 0)
            self.assertGreater(n, 0)


if __name__ == "__main__":
    unittest.main()
