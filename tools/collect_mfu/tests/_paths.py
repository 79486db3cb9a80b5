"""Test helpers: make `collect_mfu` importable and provide shared fixtures.

`python3 -m unittest discover -s tools/collect_mfu/tests` puts only this folder
on sys.path, so the package's parent (tools/) is added here, once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TOOLS = TESTS.parent.parent
REPO = TOOLS.parent
FIXTURES = TESTS / "fixtures"
MODEL_CONFIGS = FIXTURES / "model_configs"
# Reference material beside the checkout (CI has it too); tests using it skip without it.
SHARED = REPO.parent / "shared"

if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))


def poisoned_torch_dir() -> tempfile.TemporaryDirectory:
    """A folder whose `torch` package fails to import. Put first on PYTHONPATH,
    it proves a code path never imports torch, even where torch is installed."""
    tmp = tempfile.TemporaryDirectory()
    pkg = Path(tmp.name) / "torch"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('raise ImportError("torch must not be imported here")\n')
    return tmp


def run_python(args: list[str], poison: bool = True, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run `python3 <args>` from the repo root with torch poisoned."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    with poisoned_torch_dir() as fake:
        paths = [fake] if poison else []
        paths += [str(TOOLS)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        return subprocess.run(
            [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
