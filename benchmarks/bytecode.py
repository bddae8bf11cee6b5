"""The package's bytecode, compiled as an installed evidence has it.

pip compiles a wheel's modules to bytecode when it installs them. An editable
install (``pip install -e .``, the README's) leaves that to the first import,
and where PYTHONDONTWRITEBYTECODE is set, as on this workplace's machines,
never: every ``evidence`` process then compiles each module it imports from
source, about 50 ms of every command. The benchmarks that time ``evidence``
processes measure what an installed evidence does, so they compile the
package first (into its ``__pycache__`` folders, which git ignores).
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "evidence"


def compile_package() -> None:
    """Write the bytecode of every module of the package that lacks it (quietly)."""
    if not compileall.compile_dir(PACKAGE, quiet=1):
        raise SystemExit(f"could not compile {PACKAGE} to bytecode")
