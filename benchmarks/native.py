"""The mypyc build of the extraction hot path, made outside the source tree.

``setup.py`` compiles the modules listed under ``[tool.wirewatch] native`` in pyproject.toml when
``WIREWATCH_COMPILE=1`` (the Docker image does). Benchmarks run with ``--native`` time that wheel, and
``tests/integration/test_native.py`` checks it carries its data and returns what the pure-Python
modules return. Building takes about a minute (``pip install -e '.[native]'`` provides mypy and a
recent setuptools), so the unpacked wheel is cached under the hash of the package's sources.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def native_modules() -> list[str]:
    """Paths (relative to the repository) of the modules the native build compiles."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["wirewatch"]["native"])


def _digest() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "wirewatch").rglob("*.py")) + [ROOT / "pyproject.toml", ROOT / "mypy.ini"]:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()[:16]


def build() -> Path:
    """A directory holding the ``wirewatch`` package as the native wheel installs it (put it first on
    ``sys.path``); built on first use for these sources, through setup.py as the Docker image builds it."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wirewatch-native"
    target = cache / _digest()
    if (target / ".built").exists():
        return target
    work = cache / f"{target.name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    (work / "src").mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "mypy.ini", "README.md"):
        shutil.copy2(ROOT / name, work / "src" / name)
    skip = shutil.ignore_patterns("__pycache__", "*.so", "*.c")
    shutil.copytree(ROOT / "wirewatch", work / "src" / "wirewatch", ignore=skip)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-build-isolation", "--no-deps"]
        + ["-w", str(work / "wheel"), str(work / "src")],
        env={**os.environ, "WIREWATCH_COMPILE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"native build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    (wheel,) = (work / "wheel").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(work / "site")
    (work / "site" / ".built").touch()
    shutil.rmtree(target, ignore_errors=True)
    (work / "site").rename(target)
    shutil.rmtree(work, ignore_errors=True)
    return target


def use_native_if_asked(argv: list[str]) -> bool:
    """With ``--native`` in ``argv``: import ``wirewatch`` from the native build (call before importing it)."""
    if "--native" not in argv:
        return False
    sys.path.insert(0, str(build()))
    return True
