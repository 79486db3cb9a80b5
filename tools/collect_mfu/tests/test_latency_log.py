import json
import tempfile
import unittest
from pathlib import Path

import _paths  # noqa: F401  (puts collect_mfu on sys.path)
from collect_mfu import latency_log


class LatencyLog(unittest.TestCase):
    def test_merge_sort_and_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "g" / "attention_latency.json"
            doc = latency_log.load(path)
            self.assertEqual(doc, latency_log.empty())
            latency_log.add_prefill(doc, "32-8-128", [(4096, 217.5854, "sdpa-cudnn"), (1024, 38.1, "flashinfer")])
            latency_log.add_decode(doc, "32-8-128", 2, [(16, 1024, 30.0, "flashinfer"), (1, 1024, 20.0, "sdpa-flash")])
            latency_log.save(path, doc)

            again = latency_log.load(path)
            latency_log.add_prefill(again, "32-8-128", [(4096, 200.0, "flashinfer")])
            latency_log.add_decode(again, "32-8-128", 1, [(1, 256, 9.0, "flashinfer")])
            latency_log.save(path, again)

            final = json.loads(path.read_text())
        self.assertEqual(
            final["prefill"]["32-8-128"],
            [
                {"seq_len": 1024, "latency_us": 38.1, "backend": "flashinfer"},
                {"seq_len": 4096, "latency_us": 200.0, "backend": "flashinfer"},
            ],
        )
        self.assertEqual([r["batch"] for r in final["decode"]["32-8-128"]["tp2"]], [1, 16])
        self.assertEqual(final["decode"]["32-8-128"]["tp1"], [{"batch": 1, "kv_len": 256, "latency_us": 9.0,
                                                               "backend": "flashinfer"}])

    def test_foreign_or_broken_file_starts_fresh(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "attention_latency.json"
            path.write_text("{broken")
            self.assertEqual(latency_log.load(path), latency_log.empty())
            path.write_text(json.dumps({"format": "other", "prefill": {}, "decode": {}}))
            self.assertEqual(latency_log.load(path), latency_log.empty())


if __name__ == "__main__":
    unittest.main()
