"""A whole `collect_mfu` run with the GPU replaced by fakes: checks what ends
up on disk (layout, headers, MFU values, README) without torch or a GPU."""

import json
import re
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import _paths
from collect_mfu import cli, gpu, measure_attn, measure_gemm
from collect_mfu.measure_attn import AttnRun
from collect_mfu.measure_gemm import GemmRun

H100 = gpu.DeviceInfo("NVIDIA H100 80GB HBM3", (9, 0), 79.1, "550.54", "12.4", "2.5.1", None)
# The project layout exactly as the TypeScript loader matches it (src/mfu/layouts.ts):
# any other *.csv below the GPU folder fails `blis-eval bench validate`.
LOADER_PATTERNS = (
    r"gemm_bench/gemm_fp16\.csv",
    r"mha_prefill/\d+-\d+-\d+/mha_prefill_fp16\.csv",
    r"mha_decode/\d+-\d+-\d+/mha_decode_fp16_tp\d+\.csv",
)
# llama-3.1-8b at TP 1-2: 8 per-GPU fused shapes + roofline-v2's K/V lookup (4096x1024).
LLAMA8B_TP12_SHAPES = 9
A100 = gpu.DeviceInfo("NVIDIA A100-SXM4-80GB", (8, 0), 79.1, "550.54", "12.4", "2.5.1", None)


def fake_gemm(points, warmup, repeats, progress):
    # 10 us per point: MFU is then easy to predict.
    return GemmRun(rows=[(m, k, n, 10.0) for m, k, n in points])


def fake_prefill(key, seqs, warmup, repeats, progress):
    return AttnRun(rows=[(s, 1000.0, "sdpa-flash") for s in seqs])


def fake_decode(target, cells, warmup, repeats, progress):
    return AttnRun(rows=[(b, kv, 20.0, "flashinfer") for b, kv in cells], notes=["sdpa-cudnn: out of memory"])


class FakeRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.hw = self.dir / "hardware_config.json"
        self.hw.write_text(json.dumps({"H100": {"TFlopsPeak": 1000.0, "TFlopsFP8": 2000.0},
                                       "A100-SXM": {"TFlopsPeak": 312.0}}))
        self.out = self.dir / "bench_data"

    def tearDown(self):
        self.tmp.cleanup()

    def collect(self, device, *extra):
        patches = [
            mock.patch.object(gpu, "device_info", return_value=device),
            mock.patch.object(gpu, "free_memory_bytes", return_value=80 * 2**30),
            mock.patch.object(gpu, "release_memory"),
            mock.patch.object(measure_gemm, "measure_bf16", side_effect=fake_gemm),
            mock.patch.object(measure_gemm, "measure_fp8", side_effect=fake_gemm),
            mock.patch.object(measure_attn, "measure_prefill", side_effect=fake_prefill),
            mock.patch.object(measure_attn, "measure_decode", side_effect=fake_decode),
        ]
        for p in patches:
            p.start()
        self.addCleanup(mock.patch.stopall)
        argv = ["--quick", "--model-configs", str(_paths.MODEL_CONFIGS), "--models", "llama-3.1-8b-instruct",
                "--hardware-config", str(self.hw), "--out", str(self.out), *extra]
        with mock.patch("sys.stderr"):
            return cli.main(argv)

    def test_h100_writes_every_table(self):
        self.assertEqual(self.collect(H100), 0)
        base = self.out / "h100"
        gemm = (base / "gemm_bench" / "gemm_fp16.csv").read_text().splitlines()
        self.assertEqual(gemm[0], "m,k,n,latency_us,mfu")
        self.assertEqual(len(gemm), 1 + LLAMA8B_TP12_SHAPES * 6)  # 6 quick M values
        # m=1 k=4096 n=2048... first sorted key is m=1 of the smallest (k, n).
        self.assertEqual(gemm[1], "1,2048,4096,10.000,0.001678")  # 2*1*2048*4096 / 10us / 1000 TFLOP/s
        fp8 = (base / "gemm_bench" / "gemm_fp8.tsv").read_text().splitlines()
        self.assertEqual(fp8[0], "m\tk\tn\tlatency_us\tmfu")
        self.assertEqual(fp8[1], "1\t2048\t4096\t10.000\t0.000839")  # same time against the 2000 fp8 peak
        pre = (base / "mha_prefill" / "32-8-128" / "mha_prefill_fp16.csv").read_text().splitlines()
        self.assertEqual(pre[0], "seq_len,mfu")
        self.assertEqual(pre[1], "1024,0.008590")  # 4*32*1024^2*128/2 / 1 ms / 1000 TFLOP/s
        self.assertEqual(len(pre), 4)
        for tp, heads in ((1, 32), (2, 16)):
            dec = (base / "mha_decode" / "32-8-128" / f"mha_decode_fp16_tp{tp}.csv").read_text().splitlines()
            self.assertEqual(dec[0], "batch,kv_len,mfu")
            self.assertEqual(len(dec), 10)
            self.assertEqual(dec[1], f"1,1024,{4 * heads * 1024 * 128 / 20e-6 / 1e15:.6f}")
        lat = json.loads((base / "attention_latency.json").read_text())
        self.assertEqual(lat["decode"]["32-8-128"]["tp2"][0],
                         {"batch": 1, "kv_len": 1024, "latency_us": 20.0, "backend": "flashinfer"})
        self.assertEqual(lat["prefill"]["32-8-128"][0], {"seq_len": 1024, "latency_us": 1000.0, "backend": "sdpa-flash"})
        # Every CSV is one the TypeScript loader (src/mfu/layouts.ts) recognises.
        for csv_path in base.rglob("*.csv"):
            rel = csv_path.relative_to(base).as_posix()
            self.assertTrue(any(re.fullmatch(p, rel) for p in LOADER_PATTERNS), rel)
        readme = (base / "README.md").read_text()
        self.assertTrue(readme.startswith("# MFU benchmark tables: H100\n"))
        for text in ("NVIDIA H100 80GB HBM3", "550.54", "2.5.1", "--quick", "1000 TFLOP/s", "flashinfer 18",
                     "sdpa-flash 3", f"gemm_bench/gemm_fp16.csv`: {LLAMA8B_TP12_SHAPES * 6} rows",
                     "gemm_bench/gemm_fp8.tsv`", "sdpa-cudnn: out of memory", "Time taken: GEMM bf16",
                     "M: 1, 16, 128, 512, 2048, 8192", "Date (UTC): 20"):
            self.assertIn(text, readme)
        leftovers = [p for p in self.out.rglob("*") if p.name.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_a100_skips_fp8_and_uses_family_prefix(self):
        self.assertEqual(self.collect(A100, "--parts", "gemm,fp8"), 0)
        base = self.out / "a100-sxm"
        self.assertTrue((base / "gemm_bench" / "gemm_fp16.csv").is_file())
        self.assertFalse((base / "gemm_bench" / "gemm_fp8.tsv").exists())
        self.assertIn("fp8 GEMM skipped: compute capability 8.0 < 8.9", (base / "README.md").read_text())
        self.assertFalse((base / "mha_prefill").exists())

    def test_peak_too_low_is_clamped_and_reported(self):
        self.assertEqual(self.collect(H100, "--parts", "prefill", "--peak-tflops", "1"), 0)
        base = self.out / "h100"
        rows = (base / "mha_prefill" / "32-8-128" / "mha_prefill_fp16.csv").read_text().splitlines()[1:]
        self.assertTrue(all(r.endswith(",1.000000") for r in rows))
        self.assertIn("3 MFU values above 1 were clamped", (base / "README.md").read_text())

    def test_second_run_merges_and_fresh_replaces(self):
        self.assertEqual(self.collect(H100, "--tp", "1", "--parts", "gemm,decode"), 0)
        self.assertEqual(self.collect(H100, "--tp", "2", "--parts", "gemm,decode"), 0)
        base = self.out / "h100"
        gemm = base / "gemm_bench" / "gemm_fp16.csv"
        self.assertEqual(len(gemm.read_text().splitlines()), 1 + LLAMA8B_TP12_SHAPES * 6)
        lat = json.loads((base / "attention_latency.json").read_text())
        self.assertEqual(sorted(lat["decode"]["32-8-128"]), ["tp1", "tp2"])
        readme = (base / "README.md").read_text()
        self.assertIn("Kept from earlier runs", readme)
        self.assertIn("mha_decode/32-8-128/mha_decode_fp16_tp1.csv`: 9 rows", readme)
        self.assertEqual(self.collect(H100, "--tp", "2", "--parts", "gemm", "--fresh"), 0)
        # TP 2: 4 fused shapes + roofline-v2's q and o (4096x4096), k/v and down (its gate/up is tp2's gate_up).
        self.assertEqual(len(gemm.read_text().splitlines()), 1 + 7 * 6)
        self.assertFalse((base / "mha_decode").exists())  # --fresh emptied the folder first
        self.assertFalse((base / "attention_latency.json").exists())
        self.assertNotIn("Kept from earlier runs", (base / "README.md").read_text())

    def test_refuses_to_merge_into_tables_it_did_not_write(self):
        base = self.out / "h100"
        (base / "gemm_bench").mkdir(parents=True)
        reference = "m,k,n,latency_us,mfu\n8,2048,6144,8.988,0.011\n"
        (base / "gemm_bench" / "gemm_fp16.csv").write_text(reference)
        (base / "SOURCE.md").write_text("# h100: imported MFU tables\n")
        self.assertEqual(self.collect(H100, "--parts", "gemm"), 2)
        self.assertEqual((base / "gemm_bench" / "gemm_fp16.csv").read_text(), reference)
        self.assertEqual(self.collect(H100, "--parts", "gemm", "--fresh"), 0)
        self.assertFalse((base / "SOURCE.md").exists())
        self.assertNotIn("8,2048,6144,8.988", (base / "gemm_bench" / "gemm_fp16.csv").read_text())

    def test_out_named_for_the_gpu_is_written_directly(self):
        target = self.dir / "measured" / "h100"
        self.out = target
        self.assertEqual(self.collect(H100, "--parts", "prefill"), 0)
        self.assertTrue((target / "mha_prefill" / "32-8-128" / "mha_prefill_fp16.csv").is_file())
        self.assertFalse((target / "h100").exists())

    def test_out_that_is_another_gpus_folder_is_refused(self):
        other = self.dir / "bench_data" / "h20"
        (other / "gemm_bench").mkdir(parents=True)
        self.out = other
        self.assertEqual(self.collect(H100, "--parts", "prefill"), 2)
        self.assertFalse((other / "h100").exists())

    def test_pcie_board_on_the_sxm_entry_is_warned(self):
        pcie = gpu.DeviceInfo("NVIDIA H100 PCIe", (9, 0), 79.1, "550.54", "12.4", "2.5.1", None)
        self.assertEqual(self.collect(pcie, "--parts", "prefill"), 0)
        readme = (self.out / "h100" / "README.md").read_text()
        self.assertIn("is a PCIE board but hardware_config entry 'H100' is not", readme)

    def test_unknown_gpu_without_override_exits_2(self):
        self.assertEqual(self.collect(H100, "--gpu", "T4"), 2)
        self.assertFalse(self.out.exists())


if __name__ == "__main__":
    unittest.main()
