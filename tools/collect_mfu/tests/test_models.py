import json
import tempfile
import unittest
from pathlib import Path

import _paths
from collect_mfu.models import ModelConfigError, arch_from_config, load_models, select_models


class ArchFromConfig(unittest.TestCase):
    def test_llama_defaults_head_dim_from_hidden_over_heads(self):
        models = load_models(_paths.MODEL_CONFIGS, ["llama-3.1-8b-instruct"])
        self.assertEqual(len(models), 1)
        m = models[0]
        self.assertEqual((m.hidden, m.heads, m.kv_heads, m.head_dim, m.layers), (4096, 32, 8, 128, 32))
        self.assertEqual(m.dense_intermediates, (14336,))
        self.assertIsNone(m.expert_intermediate)

    def test_llama4_reads_text_config_and_both_mlp_widths(self):
        (m,) = load_models(_paths.MODEL_CONFIGS, ["llama-4-scout*"])
        self.assertEqual((m.hidden, m.heads, m.kv_heads, m.head_dim), (5120, 40, 8, 128))
        # intermediate_size is the (routed and shared) expert width, intermediate_size_mlp the dense MLP's.
        self.assertEqual(m.dense_intermediates, (16384,))
        self.assertEqual((m.expert_intermediate, m.num_experts, m.experts_per_token), (8192, 16, 1))
        self.assertEqual(m.shared_intermediate, 8192)

    def test_shared_experts_follow_blis_eval(self):
        # DeepSeek: n_shared_experts x moe_intermediate_size; Qwen MoE: shared_expert_intermediate_size.
        deepseek = arch_from_config("d", {
            "model_type": "deepseek_v2", "hidden_size": 2048, "num_attention_heads": 16, "num_hidden_layers": 27,
            "intermediate_size": 10944, "moe_intermediate_size": 1408, "n_routed_experts": 64,
            "n_shared_experts": 2, "num_experts_per_tok": 6})
        self.assertEqual((deepseek.expert_intermediate, deepseek.shared_intermediate), (1408, 2816))
        self.assertEqual(deepseek.dense_intermediates, (10944,))
        qwen2moe = arch_from_config("q", {
            "hidden_size": 2048, "num_attention_heads": 16, "num_hidden_layers": 24, "intermediate_size": 5632,
            "moe_intermediate_size": 1408, "num_experts": 60, "shared_expert_intermediate_size": 5632})
        self.assertEqual(qwen2moe.shared_intermediate, 5632)
        (qwen3,) = load_models(_paths.MODEL_CONFIGS, ["qwen3-30b-a3b"])
        self.assertIsNone(qwen3.shared_intermediate)
        (mixtral,) = load_models(_paths.MODEL_CONFIGS, ["mixtral-8x7b-v0.1"])
        self.assertIsNone(mixtral.shared_intermediate)

    def test_field_aliases_and_zero_intermediate(self):
        m = arch_from_config("g", {"hidden_size": 4096, "num_attention_heads": 32, "multi_query_group_num": 2,
                                   "num_layers": 1, "num_hidden_layers": 28, "ffn_hidden_size": 13696})
        self.assertEqual((m.kv_heads, m.dense_intermediates), (2, (13696,)))
        m = arch_from_config("z", {"hidden_size": 1024, "num_attention_heads": 8, "num_hidden_layers": 2,
                                   "intermediate_size": 0})
        self.assertEqual(m.dense_intermediates, (4096,))

    def test_moe_field_spellings(self):
        (qwen,) = load_models(_paths.MODEL_CONFIGS, ["qwen3-30b-a3b"])
        self.assertEqual((qwen.num_experts, qwen.expert_intermediate), (128, 768))
        (mixtral,) = load_models(_paths.MODEL_CONFIGS, ["mixtral-8x7b-v0.1"])
        # Mixtral has no moe_intermediate_size: its experts are intermediate_size wide.
        self.assertEqual((mixtral.num_experts, mixtral.expert_intermediate), (8, 14336))

    def test_missing_or_zero_kv_heads_means_mha_and_null_head_dim_is_derived(self):
        raw = {"hidden_size": 2048, "num_attention_heads": 16, "num_key_value_heads": 0,
               "num_hidden_layers": 2, "intermediate_size": 8192, "head_dim": None}
        m = arch_from_config("x", raw)
        self.assertEqual((m.kv_heads, m.head_dim), (16, 128))

    def test_missing_field_names_file_and_field(self):
        with self.assertRaises(ModelConfigError) as ctx:
            arch_from_config("x", {"hidden_size": 1}, "some/config.json")
        self.assertIn("some/config.json", str(ctx.exception))
        self.assertIn("num_attention_heads", str(ctx.exception))


class Selection(unittest.TestCase):
    def test_exact_and_glob_deduplicated_sorted(self):
        names = ["a-1", "a-2", "b-1"]
        self.assertEqual(select_models(names, ["b-1", "a-*", "a-1"]), ["a-1", "a-2", "b-1"])
        self.assertEqual(select_models(names, None), names)

    def test_unknown_pattern_is_an_error(self):
        with self.assertRaises(ModelConfigError):
            select_models(["a"], ["nope"])

    def test_empty_or_broken_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(ModelConfigError):
                load_models(Path(tmp))
            (Path(tmp) / "bad").mkdir()
            (Path(tmp) / "bad" / "config.json").write_text("{not json")
            with self.assertRaises(ModelConfigError):
                load_models(Path(tmp))
            (Path(tmp) / "bad" / "config.json").write_text(json.dumps([1]))
            with self.assertRaises(ModelConfigError):
                load_models(Path(tmp))


if __name__ == "__main__":
    unittest.main()
