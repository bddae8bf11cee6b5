"""Templates copied from Datasette and adapted: each names the original it was
copied from by its sha256, so an upgrade of Datasette that changes an original
fails here, and someone carries the upstream change into the copy (then
updates the hash in the copy's header)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import datasette
import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "evidence" / "publish" / "templates"
UPSTREAM = Path(datasette.__file__).parent / "templates"
COPIED = re.compile(r"Copied from Datasette's templates/(\S+), sha256 ([0-9a-f]{64})")


def copies() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        match = COPIED.search(path.read_text(encoding="utf-8"))
        if match:
            found.append((path.name, match.group(1), match.group(2)))
    return found


def test_every_template_that_overrides_datasettes_names_its_original():
    overriding = {p.name for p in TEMPLATES.glob("*.html") if (UPSTREAM / p.name).exists()}
    assert overriding, "expected the publication to override some of Datasette's templates"
    assert overriding == {copy for copy, _original, _digest in copies()}


@pytest.mark.parametrize(("copy", "original", "digest"), copies())
def test_the_original_of_a_copied_template_has_not_changed(copy, original, digest):
    installed = hashlib.sha256((UPSTREAM / original).read_bytes()).hexdigest()
    assert installed == digest, (
        f"Datasette's templates/{original} changed since {copy} was copied from it: "
        f"carry the change into evidence/publish/templates/{copy}, then write its new "
        f"sha256 ({installed}) in the copy's header")
