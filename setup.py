"""Optional native build of the extraction hot path.

``WIREWATCH_COMPILE=1 pip install --no-build-isolation .`` (with ``mypy`` installed) compiles the
modules listed under ``[tool.wirewatch] native`` in pyproject.toml with mypyc, as black and mypy ship
their own wheels; the pure-Python modules stay the reference and the default (editable installs
never compile, so an edited source is never shadowed by a stale extension).
"""

import os
import tomllib

from setuptools import setup


def _ext_modules() -> list:
    if os.environ.get("WIREWATCH_COMPILE") != "1":
        return []
    from mypyc.build import mypycify

    with open("pyproject.toml", "rb") as f:
        modules = tomllib.load(f)["tool"]["wirewatch"]["native"]
    return mypycify(modules, opt_level="3")


setup(ext_modules=_ext_modules())
