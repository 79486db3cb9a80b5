"""Entry point: `python3 -m tools.collect_mfu` (repo root) or `python3 tools/collect_mfu`."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a directory script: make `collect_mfu` importable as a package so
    # the relative imports inside it resolve the same way as with `-m`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from collect_mfu.cli import main
else:
    from .cli import main

sys.exit(main())
