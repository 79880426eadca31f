"""The mypyc build of the extraction hot path, made outside the source tree.

``setup.py`` compiles the modules listed under ``[tool.wirewatch] native`` in pyproject.toml when
``WIREWATCH_COMPILE=1`` (the Docker image does). Benchmarks run with ``--native`` time that build, and
``tests/integration/test_native.py`` checks its output equals the pure-Python modules'. Building takes
a minute or two, so the result is cached under the hash of the package's sources.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return dict(tomllib.load(f)["tool"][name])


def native_modules() -> list[str]:
    """Paths (relative to the repository) of the modules the native build compiles."""
    return list(_tool("wirewatch")["native"])


def _digest() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "wirewatch").rglob("*.py")) + [ROOT / "pyproject.toml"]:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()[:16]


def build() -> Path:
    """A directory holding the ``wirewatch`` package with its native modules compiled (put it first
    on ``sys.path``); built on first use for these sources."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wirewatch-native"
    target = cache / _digest()
    if (target / ".built").exists():
        return target
    work = cache / f"{target.name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ROOT / "wirewatch", work / "wirewatch", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    # mypy's settings only: the project table is setup.py's business, not mypyc's.
    (work / "mypy.ini").write_text("[mypy]\n" + "".join(f"{k} = {v}\n" for k, v in _tool("mypy").items()))
    done = subprocess.run(
        [sys.executable, "-m", "mypyc", *native_modules()], cwd=work, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"mypyc failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    shutil.rmtree(work / "build", ignore_errors=True)
    (work / ".built").touch()
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target


def use_native_if_asked(argv: list[str]) -> bool:
    """With ``--native`` in ``argv``: import ``wirewatch`` from the native build (call before importing it)."""
    if "--native" not in argv:
        return False
    sys.path.insert(0, str(build()))
    return True
