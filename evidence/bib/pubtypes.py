"""The ``pubtypes`` field of references.bib: PubMed's publication types of a source.

Written by ``evidence resolve`` (DESIGN, "PubMed publication types"), read by
the check and the build. The value names the PubMed record and its types, in
PubMed's order, separated by ``;`` (no PubMed type contains one)::

    pubtypes = {pmid 29963580: Journal Article; Randomized Controlled Trial}

A value without the ``pmid N:`` part is read as types only, so a field typed
or trimmed by hand still counts. The types are PubMed's words, never a study
design: the check compares them with the editor's ``studydesign``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD = "pubtypes"

_VALUE = re.compile(r"^\s*pmid\s+(?P<pmid>\d+)\s*:(?P<types>.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class PubmedTypes:
    pmid: str | None
    types: tuple[str, ...]


def parse_pubtypes(value: str | None) -> PubmedTypes | None:
    """The record and types a ``pubtypes`` value names; None for no value."""
    if value is None or not value.strip():
        return None
    match = _VALUE.match(value)
    pmid, rest = (match["pmid"], match["types"]) if match else (None, value)
    types = tuple(dict.fromkeys(" ".join(t.split()) for t in rest.split(";") if t.strip()))
    return PubmedTypes(pmid, types)


def format_pubtypes(pmid: str, types: list[str] | tuple[str, ...]) -> str:
    cleaned = [" ".join(t.replace(";", ",").split()) for t in types]
    return f"pmid {pmid}: " + "; ".join(dict.fromkeys(t for t in cleaned if t))
