import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import _paths  # noqa: F401  (puts collect_mfu on sys.path)
from collect_mfu import csv_io, layout
from collect_mfu.csv_io import write_table, write_text_atomic


class Layout(unittest.TestCase):
    def test_paths_and_headers_match_the_loader_layout(self):
        base = layout.gpu_root(Path("bench_data"), "h100")
        self.assertEqual(base, Path("bench_data/h100"))
        self.assertEqual(layout.gemm_csv(base), Path("bench_data/h100/gemm_bench/gemm_fp16.csv"))
        self.assertEqual(
            layout.prefill_csv(base, "32-8-128"),
            Path("bench_data/h100/mha_prefill/32-8-128/mha_prefill_fp16.csv"),
        )
        self.assertEqual(
            layout.decode_csv(base, "32-8-128", 2),
            Path("bench_data/h100/mha_decode/32-8-128/mha_decode_fp16_tp2.csv"),
        )
        self.assertEqual(layout.latency_json(base), Path("bench_data/h100/attention_latency.json"))
        self.assertEqual(layout.readme_path(base), Path("bench_data/h100/README.md"))
        self.assertEqual(",".join(layout.GEMM_HEADER), "m,k,n,latency_us,mfu")
        self.assertEqual(",".join(layout.PREFILL_HEADER), "seq_len,mfu")
        self.assertEqual(",".join(layout.DECODE_HEADER), "batch,kv_len,mfu")

    def test_fp8_table_is_not_a_csv(self):
        # blis-eval reads every *.csv under the GPU folder and rejects unknown ones
        # (src/mfu/layouts.ts has no fp8 table), so the fp8 table must not be one.
        path = layout.gemm_fp8_table(Path("bench_data/h100"))
        self.assertEqual(path, Path("bench_data/h100/gemm_bench/gemm_fp8.tsv"))
        self.assertNotEqual(path.suffix, ".csv")

    def test_out_named_for_the_gpu_is_the_gpu_folder(self):
        self.assertEqual(layout.gpu_root(Path("bench_data/h100"), "h100"), Path("bench_data/h100"))
        self.assertEqual(layout.gpu_root(Path("x/H100"), "h100"), Path("x/H100"))
        self.assertEqual(layout.gpu_root(Path("bench_data_measured"), "h100"), Path("bench_data_measured/h100"))


class Ownership(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.base = Path(self.tmp.name) / "h100"

    def tearDown(self):
        self.tmp.cleanup()

    def _tables(self):
        write_table(layout.gemm_csv(self.base), layout.GEMM_HEADER, [(1, 2, 3, 4.0, 0.5)], 3)
        write_table(layout.decode_csv(self.base, "32-8-128", 1), layout.DECODE_HEADER, [(1, 256, 0.1)], 2)

    def test_imported_tables_are_foreign_ours_are_not(self):
        self.assertEqual(layout.foreign_tables(self.base), [])  # no folder yet
        self._tables()
        (self.base / "SOURCE.md").write_text("# h100: imported MFU tables\n")
        self.assertEqual(len(layout.foreign_tables(self.base)), 2)
        layout.readme_path(self.base).write_text(f"{layout.README_MARK}: H100\n")
        self.assertEqual(layout.foreign_tables(self.base), [])
        self.assertEqual(layout.table_rows(self.base),
                         {"gemm_bench/gemm_fp16.csv": 1, "mha_decode/32-8-128/mha_decode_fp16_tp1.csv": 1})

    def test_clear_removes_tables_and_notes_but_nothing_else(self):
        self._tables()
        (self.base / "SOURCE.md").write_text("x")
        (self.base / "notes.txt").write_text("mine")
        gone = layout.clear(self.base)
        self.assertEqual(len(gone), 3)
        self.assertEqual(sorted(p.name for p in self.base.rglob("*")), ["notes.txt"])


class WriteTable(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_exact_bytes_sorted_by_key(self):
        path = self.dir / "a" / "b" / "gemm_fp16.csv"
        rows = [(16, 4096, 6144, 9.1234, 0.0221), (1, 4096, 6144, 8.5, 0.0012345678)]
        self.assertEqual(write_table(path, layout.GEMM_HEADER, rows, 3), 2)
        self.assertEqual(
            path.read_bytes(),
            b"m,k,n,latency_us,mfu\n1,4096,6144,8.500,0.001235\n16,4096,6144,9.123,0.022100\n",
        )

    def test_decode_and_prefill_tables(self):
        dec = self.dir / "d.csv"
        write_table(dec, layout.DECODE_HEADER, [(16, 1024, 0.5), (1, 2048, 0.25), (1, 1024, 0.125)], 2)
        self.assertEqual(dec.read_text(), "batch,kv_len,mfu\n1,1024,0.125000\n1,2048,0.250000\n16,1024,0.500000\n")
        pre = self.dir / "p.csv"
        write_table(pre, layout.PREFILL_HEADER, [(4096, 0.6), (1024, 0.2)], 1)
        self.assertEqual(pre.read_text(), "seq_len,mfu\n1024,0.200000\n4096,0.600000\n")

    def test_merge_keeps_old_rows_and_replaces_remeasured(self):
        path = self.dir / "p.csv"
        write_table(path, layout.PREFILL_HEADER, [(1024, 0.2), (4096, 0.6)], 1)
        write_table(path, layout.PREFILL_HEADER, [(4096, 0.7), (8192, 0.8)], 1)
        self.assertEqual(path.read_text(), "seq_len,mfu\n1024,0.200000\n4096,0.700000\n8192,0.800000\n")
        write_table(path, layout.PREFILL_HEADER, [(512, 0.1)], 1, merge=False)
        self.assertEqual(path.read_text(), "seq_len,mfu\n512,0.100000\n")

    def test_file_with_another_header_is_replaced_not_merged(self):
        path = self.dir / "p.csv"
        path.write_text("dtype,seq_len,latency_us,mfu\nbf16,1024,38.0,0.228\n")
        write_table(path, layout.PREFILL_HEADER, [(2048, 0.5)], 1)
        self.assertEqual(path.read_text(), "seq_len,mfu\n2048,0.500000\n")

    def test_row_width_is_checked(self):
        with self.assertRaises(ValueError):
            write_table(self.dir / "x.csv", layout.PREFILL_HEADER, [(1, 2, 3)], 1)
        with self.assertRaises(TypeError):
            csv_io.format_value("mfu", True)

    def test_tab_separated_table_merges_too(self):
        path = self.dir / "gemm_fp8.tsv"
        write_table(path, layout.GEMM_HEADER, [(16, 4096, 4096, 10.0, 0.25)], 3, delimiter="\t")
        write_table(path, layout.GEMM_HEADER, [(1, 4096, 4096, 5.0, 0.01)], 3, delimiter="\t")
        self.assertEqual(
            path.read_text().splitlines(),
            ["m\tk\tn\tlatency_us\tmfu", "1\t4096\t4096\t5.000\t0.010000", "16\t4096\t4096\t10.000\t0.250000"],
        )

    def test_atomic_failed_write_keeps_old_file_and_leaves_no_temp(self):
        path = self.dir / "t.csv"
        write_text_atomic(path, "old\n")
        with mock.patch.object(csv_io.os, "replace", side_effect=OSError("disk gone")):
            with self.assertRaises(OSError):
                write_text_atomic(path, "new\n")
        self.assertEqual(path.read_text(), "old\n")
        self.assertEqual(sorted(os.listdir(self.dir)), ["t.csv"])

    def test_atomic_write_goes_through_a_temp_file_in_the_same_folder(self):
        path = self.dir / "t.csv"
        seen = []
        real = os.replace

        def spy(src, dst):
            seen.append((Path(src), Path(dst)))
            self.assertFalse(Path(dst).exists())  # target untouched until the rename
            real(src, dst)

        with mock.patch.object(csv_io.os, "replace", side_effect=spy):
            write_text_atomic(path, "x\n")
        (src, dst), = seen
        self.assertEqual((src.parent, dst), (self.dir, path))
        self.assertTrue(src.name.endswith(".tmp"))
        self.assertEqual(sorted(os.listdir(self.dir)), ["t.csv"])


if __name__ == "__main__":
    unittest.main()
