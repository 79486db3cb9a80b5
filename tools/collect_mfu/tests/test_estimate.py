import unittest

import _paths
from collect_mfu.estimate import STARTUP_S, Device, estimate_seconds, format_duration
from collect_mfu.models import load_models
from collect_mfu.peaks import variant_warning
from collect_mfu.shapes import build_plan

H100 = Device(989.5, 1978.9, 3.35)
PARTS = {"gemm", "fp8", "prefill", "decode"}


class Estimate(unittest.TestCase):
    def setUp(self):
        self.models = load_models(_paths.MODEL_CONFIGS)

    def total(self, plan, warmup=10, repeats=30, dev=H100):
        return sum(estimate_seconds(plan, PARTS, warmup, repeats, dev, 64 * 2**30).values())

    def test_quick_is_minutes_and_cheaper_than_full(self):
        quick, full = build_plan(self.models, quick=True), build_plan(self.models)
        q, f = self.total(quick, 3, 10), self.total(full)
        self.assertGreater(q, STARTUP_S)
        self.assertLess(q, 10 * 60)
        self.assertGreater(f, 3 * q)

    def test_more_repeats_and_a_slower_gpu_take_longer(self):
        plan = build_plan(self.models, (1,), quick=True)
        self.assertGreater(self.total(plan, repeats=60), self.total(plan, repeats=30))
        self.assertGreater(self.total(plan, dev=Device(148.0, 296.0, 4.0)), self.total(plan))

    def test_only_the_requested_parts(self):
        plan = build_plan(self.models, (1,), quick=True)
        self.assertEqual(sorted(estimate_seconds(plan, {"prefill"}, 1, 1, H100, None)), ["prefill", "startup"])

    def test_format(self):
        self.assertEqual(format_duration(20), "<1 min")
        self.assertEqual(format_duration(600), "10 min")
        self.assertEqual(format_duration(3 * 3600), "3.0 h")


class VariantWarning(unittest.TestCase):
    def test_pcie_and_nvl_boards_on_an_sxm_entry(self):
        entry = {"name": "NVIDIA H100 SXM5 80GB", "aliases": ["H100-SXM"]}
        self.assertIn("PCIE", variant_warning("NVIDIA H100 PCIe", "H100", entry))
        self.assertIn("NVL", variant_warning("NVIDIA H100 NVL", "H100", entry))
        self.assertIsNone(variant_warning("NVIDIA H100 80GB HBM3", "H100", entry))
        self.assertIsNone(variant_warning("NVIDIA H100 PCIe", "H100-PCIe", {"name": "NVIDIA H100 PCIe"}))


if __name__ == "__main__":
    unittest.main()
