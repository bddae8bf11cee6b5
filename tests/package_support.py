"""Serving an `evidence package` folder in a test: a venv beside it that installs the
package's wheel offline, seeing this environment's other distributions but not evidence."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def is_evidence(name: str) -> bool:
    """evidence's own entries in site-packages: its dist-info and the editable finder."""
    lowered = name.lower()
    return lowered == "evidence" or lowered.startswith(("evidence-", "evidence.", "__editable__"))


def dependencies_only(into: Path) -> Path:
    """A folder of links to this environment's distributions, evidence's left out
    (and the .pth files, which only a site-packages folder runs)."""
    into.mkdir()
    paths = sysconfig.get_paths()
    for site_packages in sorted({Path(paths["purelib"]), Path(paths["platlib"])}):
        for entry in site_packages.iterdir():
            if not is_evidence(entry.name) and entry.suffix != ".pth":
                (into / entry.name).symlink_to(entry)
    assert not any(is_evidence(entry.name) for entry in into.iterdir())
    return into


def venv_beside(site: Path, dependencies: Path) -> Path:
    """site/.venv, seeing ``dependencies`` after its own site-packages."""
    venv = site / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_test_dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    return venv


def offline_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    environment |= {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
                    "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}
    return environment | extra
