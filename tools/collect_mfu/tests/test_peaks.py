import json
import tempfile
import unittest
from pathlib import Path

import _paths  # noqa: F401  (puts collect_mfu on sys.path)
from collect_mfu.peaks import (
    PeakError,
    detect_family,
    dir_name_for,
    find_gpu_entry,
    load_hardware_config,
    resolve_peaks,
)

FLAT = {
    "H100": {"TFlopsPeak": 989.5, "TFlopsFP8": 1979, "aliases": ["H100-SXM", "h100_80gb"]},
    "A100-SXM": {"TFlopsPeak": 312, "BwPeakTBs": 2.039},
    "L40S": {"roofline": {"TFlopsPeak": 362, "TFlopsFP8": 733}},
}


class Detection(unittest.TestCase):
    def test_device_names(self):
        cases = {
            "NVIDIA H100 80GB HBM3": "H100",
            "NVIDIA H100 PCIe": "H100",
            "NVIDIA H200": "H200",
            "NVIDIA H20": "H20",
            "NVIDIA H800": "H800",
            "NVIDIA A100-SXM4-80GB": "A100-80GB",
            "NVIDIA A100-PCIE-40GB": "A100-40GB",
            "NVIDIA A10": "A10",
            "NVIDIA L40S": "L40S",
            "NVIDIA L4": "L4",
            "NVIDIA GeForce RTX 4090": "RTX4090",
            "Tesla T4": None,
        }
        for name, family in cases.items():
            self.assertEqual(detect_family(name), family, name)


class Lookup(unittest.TestCase):
    def test_name_alias_prefix_and_case(self):
        self.assertEqual(find_gpu_entry(FLAT, "h100")[0], "H100")
        self.assertEqual(find_gpu_entry(FLAT, "H100_SXM")[0], "H100")
        self.assertEqual(find_gpu_entry(FLAT, "A100")[0], "A100-SXM")
        self.assertIsNone(find_gpu_entry(FLAT, "A10"))  # must not pick A100-SXM
        self.assertIsNone(find_gpu_entry(FLAT, "L40"))  # must not pick L40S

    def test_peaks_at_top_or_one_level_down(self):
        p = resolve_peaks(FLAT, "H100")
        self.assertEqual((p.gpu_key, p.bf16_tflops, p.fp8_tflops, p.dir_name), ("H100", 989.5, 1979.0, "h100"))
        self.assertEqual(p.warnings, [])
        p = resolve_peaks(FLAT, "l40s")
        self.assertEqual((p.bf16_tflops, p.fp8_tflops), (362.0, 733.0))

    def test_wrapped_layout(self):
        wrapped = {"v0.6.1": {"H100": {"TFlopsPeak": 989.5}}, "note": "x"}
        p = resolve_peaks(wrapped, "H100")
        self.assertEqual(p.bf16_tflops, 989.5)

    def test_missing_fp8_falls_back_to_twice_bf16_with_warning(self):
        p = resolve_peaks(FLAT, "A100")
        self.assertEqual(p.fp8_tflops, 624.0)
        self.assertEqual(len(p.warnings), 1)

    def test_overrides_and_errors(self):
        p = resolve_peaks(FLAT, "H100", peak_tflops=900.0, peak_tflops_fp8=1800.0)
        self.assertEqual((p.bf16_tflops, p.fp8_tflops, p.source), (900.0, 1800.0, "--peak-tflops"))
        p = resolve_peaks(None, "NVIDIA B300 X", peak_tflops=2000.0)
        self.assertEqual(p.dir_name, "nvidia-b300-x")
        with self.assertRaises(PeakError):
            resolve_peaks(FLAT, "T4")
        with self.assertRaises(PeakError):
            resolve_peaks(None, "H100")

    def test_dir_name(self):
        self.assertEqual(dir_name_for("A100-SXM"), "a100-sxm")

    def test_load_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "hardware_config.json"
            self.assertIsNone(load_hardware_config(path))
            path.write_text(json.dumps(FLAT))
            self.assertEqual(load_hardware_config(path)["H100"]["TFlopsPeak"], 989.5)
            path.write_text("[]")
            with self.assertRaises(PeakError):
                load_hardware_config(path)


class RepoHardwareConfig(unittest.TestCase):
    """The shipped hardware_config.json: its field names and the devices it covers."""

    def setUp(self):
        self.config = load_hardware_config(_paths.REPO / "hardware_config.json")

    def test_h100_peaks_from_its_real_fields(self):
        p = resolve_peaks(self.config, "H100")
        self.assertEqual((p.gpu_key, p.dir_name), ("H100", "h100"))
        self.assertEqual((p.bf16_tflops, p.fp8_tflops), (self.config["H100"]["TFlopsPeak"],
                                                        self.config["H100"]["TFlopsFP8"]))
        self.assertEqual((p.bw_tbs, p.memory_gib), (self.config["H100"]["BwPeakTBs"], self.config["H100"]["MemoryGiB"]))
        self.assertEqual(p.warnings, [])

    def test_device_names_reach_an_entry(self):
        for device, key in {
            "NVIDIA H100 80GB HBM3": "H100",
            "NVIDIA H200": "H200",
            "NVIDIA H20": "H20",
            "NVIDIA H800": "H800",
            "NVIDIA A100-SXM4-80GB": "A100-80GB",
            "NVIDIA A100-SXM4-40GB": "A100-40GB",
            "NVIDIA L40S": "L40S",
            "NVIDIA GeForce RTX 4090": "RTX4090",
        }.items():
            p = resolve_peaks(self.config, detect_family(device))
            self.assertEqual(p.gpu_key, key, device)
            self.assertEqual(p.bf16_tflops, self.config[key]["TFlopsPeak"])

    def test_a100_has_no_fp8_peak(self):
        # TFlopsFP8 0 means none; fp8 is not measured there anyway (compute capability 8.0).
        p = resolve_peaks(self.config, "A100")
        self.assertEqual(p.fp8_tflops, 2 * p.bf16_tflops)
        self.assertEqual(len(p.warnings), 1)


if __name__ == "__main__":
    unittest.main()
