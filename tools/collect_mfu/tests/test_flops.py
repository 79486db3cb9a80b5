import unittest

import _paths  # noqa: F401  (puts collect_mfu on sys.path)
from collect_mfu import flops
from collect_mfu.collect import decode_table, gemm_table, prefill_table
from collect_mfu.shapes import AttnKey, DecodeTarget


def no_clamp(value):
    return value


class Arithmetic(unittest.TestCase):
    def test_gemm(self):
        self.assertEqual(flops.gemm_flops(2, 3, 5), 60.0)
        # 2*4096*4096*4096 FLOPs in 200 us at a 1000 TFLOP/s peak
        self.assertAlmostEqual(flops.mfu(flops.gemm_flops(4096, 4096, 4096), 200.0, 1000.0), 0.68719476736)
        self.assertAlmostEqual(flops.achieved_tflops(1e12, 1e6), 1.0)

    def test_attention_conventions(self):
        self.assertEqual(flops.prefill_attn_flops(32, 1024, 128), 4 * 32 * 1024 * 1024 * 128 / 2)
        self.assertEqual(flops.decode_attn_flops(16, 4096, 128), 4 * 16 * 4096 * 128)
        self.assertEqual(flops.decode_attn_flops(16, 4096, 128, batch=8), 8 * 4 * 16 * 4096 * 128)

    def test_reproduces_the_blis_h100_reference_tables(self):
        # BLIS's measured H100 tables use the same conventions (peak 989.5):
        # prefill 32-8-128 seq 16384: 2882.164 us -> 0.771;
        # decode 32-8-128 tp2 (16 heads per GPU) bs 1 kv 16384: 24.221 us -> 0.006.
        self.assertAlmostEqual(flops.mfu(flops.prefill_attn_flops(32, 16384, 128), 2882.164, 989.5), 0.771, 3)
        self.assertAlmostEqual(flops.mfu(flops.decode_attn_flops(16, 16384, 128), 24.221, 989.5), 0.006, 3)

    def test_bad_inputs_and_clamp(self):
        for lat in (0.0, -1.0, float("inf")):
            with self.assertRaises(ValueError):
                flops.mfu(1.0, lat, 1.0)
        with self.assertRaises(ValueError):
            flops.mfu(1.0, 1.0, 0.0)
        self.assertEqual(flops.clamp_mfu(1.2), (1.0, True))
        self.assertEqual(flops.clamp_mfu(-0.1), (0.0, True))
        self.assertEqual(flops.clamp_mfu(0.5), (0.5, False))


class Tables(unittest.TestCase):
    def test_rows_carry_mfu_with_the_right_head_count(self):
        self.assertEqual(gemm_table([(1, 2, 3, 1.0)], 1e-6, no_clamp)[0][:4], (1, 2, 3, 1.0))
        self.assertAlmostEqual(gemm_table([(1, 2, 3, 1.0)], 1e-6, no_clamp)[0][4], 12.0)
        key = AttnKey(32, 8, 128)
        (pre,) = prefill_table(key, [(1024, 100.0, "sdpa-flash")], 1000.0, no_clamp)
        self.assertEqual(pre[0], 1024)
        self.assertAlmostEqual(pre[1], flops.prefill_attn_flops(32, 1024, 128) / 100e-6 / 1e15)
        target = DecodeTarget(key, 4, 8, 2)
        (dec,) = decode_table(target, [(16, 2048, 50.0, "flashinfer")], 1000.0, no_clamp)
        self.assertEqual(dec[:2], (16, 2048))
        # 8 heads per GPU at TP 4, 16 requests
        self.assertAlmostEqual(dec[2], 16 * 4 * 8 * 2048 * 128 / 50e-6 / 1e15)


if __name__ == "__main__":
    unittest.main()
