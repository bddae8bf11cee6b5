"""citeproc-js, the CSL processor of Zotero and Mendeley, for the bibliography tests.

The tests run it through Node.js (``node``) with the ``citeproc`` npm package
(citeproc-js), looked for in ``$CITEPROC_JS_MODULE`` or
``.cache/npm/node_modules/citeproc`` (where the README's test command
installs it); without Node.js or the package, these tests are skipped. The
locales are citeproc-py's copy of the CSL locales repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = Path(__file__).with_name("citeproc_js.js")


def citeproc_js_module() -> Path | None:
    given = os.environ.get("CITEPROC_JS_MODULE")
    module = Path(given) if given else ROOT / ".cache" / "npm" / "node_modules" / "citeproc"
    return module if (module / "package.json").is_file() else None


def require_citeproc_js() -> tuple[str, Path]:
    node, module = shutil.which("node"), citeproc_js_module()
    if node is None or module is None:
        pytest.skip("citeproc-js needs node and the citeproc npm package "
                    "(npm install --prefix .cache/npm citeproc)")
    return node, module


def _locales() -> Path:
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


def citeproc_js_texts(style_text: str, items: list[dict], lang: str = "en-US") -> dict[str, str]:
    """Each item as citeproc-js formats it in plain text, its citation number dropped."""
    node, module = require_citeproc_js()
    request = {"style": style_text, "locales": str(_locales()), "lang": lang, "items": items}
    done = subprocess.run([node, str(BRIDGE)], input=json.dumps(request), capture_output=True,
                          text=True, env={**os.environ, "CITEPROC_JS_MODULE": str(module)},
                          timeout=300, check=False)
    if done.returncode != 0:
        raise AssertionError(f"citeproc-js failed: {done.stderr[-2000:]}")
    return {key: " ".join(text.split()) for key, text in json.loads(done.stdout).items()}
