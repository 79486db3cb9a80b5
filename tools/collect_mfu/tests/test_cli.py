import tempfile
import unittest
from pathlib import Path

import _paths

FIXTURE_ARGS = ["--model-configs", str(_paths.MODEL_CONFIGS)]


class DryRun(unittest.TestCase):
    """The CLI as a user runs it, in a subprocess where `import torch` fails."""

    def test_dry_run_lists_shapes_and_exits_0_without_torch(self):
        res = _paths.run_python(
            ["-m", "collect_mfu", "--dry-run", *FIXTURE_ARGS, "--models", "llama-3.1-8b-instruct", "--tp", "1,2"]
        )
        self.assertEqual(res.returncode, 0, res.stderr)
        out = res.stdout
        self.assertIn("models (1): llama-3.1-8b-instruct", out)
        self.assertIn("tensor parallel: 1,2", out)
        # 8 per-GPU fused projections at TP 1-2, plus roofline-v2's K/V lookup (its other shapes coincide).
        self.assertIn("GEMM: 9 (k, n) shapes x 21 M values = 189 points per dtype", out)
        self.assertIn("k=4096 n=6144: llama-3.1-8b-instruct tp1 qkv", out)
        self.assertIn("k=4096 n=3072: llama-3.1-8b-instruct tp2 qkv", out)
        self.assertIn("k=4096 n=1024: llama-3.1-8b-instruct roofline-v2 k/v", out)
        self.assertIn("prefill attention: 1 keys x 10 seq_len = 10 rows", out)
        self.assertIn("seq_len: 128,256,512,1024,2048,4096,8192,16384,32768,65536", out)
        self.assertRegex(out, r"estimated time on an H100 SXM .*: ~\d+ min")
        self.assertIn("32-8-128 tp2 (per GPU 16-4-128)", out)
        self.assertIn("gemm_bench/gemm_fp16.csv", out)
        self.assertIn("total:", out)

    def test_directory_script_form_and_quick(self):
        res = _paths.run_python(
            [str(_paths.TOOLS / "collect_mfu"), "--dry-run", "--quick", *FIXTURE_ARGS, "--gpu", "H100"]
        )
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("grid: quick subset", res.stdout)
        self.assertIn("M: 1,16,128,512,2048,8192", res.stdout)
        self.assertIn("/h100/gemm_bench/gemm_fp16.csv", res.stdout)

    def test_out_folder_named_for_the_gpu_and_foreign_tables_note(self):
        with tempfile.TemporaryDirectory() as tmp:
            ref = Path(tmp) / "bench_data" / "h100"
            (ref / "gemm_bench").mkdir(parents=True)
            (ref / "gemm_bench" / "gemm_fp16.csv").write_text("m,k,n,mfu\n1,1,1,0.1\n")
            res = _paths.run_python(["-m", "collect_mfu", "--dry-run", "--quick", *FIXTURE_ARGS, "--gpu", "h100",
                                     "--out", str(ref)])
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn(f"{ref}/gemm_bench/gemm_fp16.csv", res.stdout)  # not .../h100/h100/...
            self.assertIn("holds tables this tool did not write", res.stdout)
            self.assertIn("gemm_bench/gemm_fp8.tsv", res.stdout)
            res = _paths.run_python(["-m", "collect_mfu", "--dry-run", "--quick", *FIXTURE_ARGS, "--gpu", "H100",
                                     "--out", str(Path(tmp) / "measured")])
            self.assertIn(f"{Path(tmp)}/measured/h100/README.md", res.stdout)
            self.assertNotIn("did not write", res.stdout)

    def test_package_form_from_repo_root(self):
        res = _paths.run_python(["-m", "tools.collect_mfu", "--dry-run", *FIXTURE_ARGS, "--parts", "decode"])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("mha_decode_fp16_tp<N>.csv", res.stdout)
        self.assertNotIn("gemm_fp16.csv", res.stdout)

    def test_bad_usage_exits_2(self):
        for extra in (["--tp", "3"], ["--models", "no-such-model"], ["--parts", "bogus"], ["--repeats", "0"],
                      ["--memory-gb", "0"]):
            res = _paths.run_python(["-m", "collect_mfu", "--dry-run", *FIXTURE_ARGS, *extra])
            self.assertEqual(res.returncode, 2, (extra, res.stdout, res.stderr))

    def test_real_run_without_torch_fails_cleanly(self):
        res = _paths.run_python(["-m", "collect_mfu", "--quick", *FIXTURE_ARGS, "--out", "/nonexistent/x"])
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("torch must not be imported here", res.stderr)
        self.assertNotIn("Traceback", res.stderr)

    def test_every_module_imports_without_torch(self):
        names = sorted(p.stem for p in (_paths.TOOLS / "collect_mfu").glob("*.py") if not p.stem.startswith("__"))
        self.assertIn("measure_gemm", names)
        code = "; ".join(f"import collect_mfu.{n}" for n in names)
        code += "; import sys; assert 'torch' not in sys.modules"
        res = _paths.run_python(["-c", code])
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    unittest.main()
