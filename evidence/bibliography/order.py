"""A guide's numbering of its sources (DESIGN §8): the printed list, then first citation.

1. when the guide has a printed reference list (``## Kilder``,
   ``## Kildeliste``, ``## References`` …: :mod:`evidence.guide.reference_list`) whose items carry DOIs (or the exact title of a
   source), that list *is* the guide's numbering: its sources come first, in
   printed order. The printed guide cites no numbers in its text, so the
   Kilder list is the only numbering it has, and the generated list must
   equal it;
2. then every other source the guide's claims link, in order of first
   citation: claims taken in guide order (the offset of their quote), links
   in the order written.

Plain maps in, citekeys out: the build computes the numbering from the
project and stores it (``guide_references``); the publication reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # guide.md's parser is imported where a guide is read, not by every
    # bibliography (one of citekeys or --all reads no guide)
    from evidence.bib.doi import DoiIndex
    from evidence.guide.document import Guide

CITED_RELATIONS = ("supports", "mentions")
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")


def match_printed_references(guide: Guide, dois: DoiIndex,
                             titles: dict[str, str | None]) -> list[str] | None:
    """The citekeys of the guide's printed reference list (Kilder), in printed order.

    ``guide`` is a parsed guide (:class:`evidence.guide.document.Guide`). An
    item is matched to a source by a DOI it carries (``dois``: any spelling, or an
    alias), else by
    containing the source's exact title (``titles``: key -> title). None when
    the guide has no such section or none of its items match.
    """
    from evidence.guide.reference_list import reference_list

    found = reference_list(guide)
    if found is None:
        return None
    by_title: dict[str, str] = {}
    for key, title in titles.items():
        if title and len(title) > 12:
            by_title.setdefault(" ".join(title.split()).lower(), key)
    keys: list[str] = []
    for block in found.blocks:
        if block.kind not in ("item", "paragraph"):
            continue
        matched = _match_reference(block.text, dois, by_title)
        if matched and matched not in keys:
            keys.append(matched)
    return keys or None


def _match_reference(text: str, dois: DoiIndex, by_title: dict[str, str]) -> str | None:
    for match in _DOI_IN_TEXT.finditer(text):
        key = dois.key(match.group(1).rstrip(".,;)]"))
        if key is not None:
            return key
    lowered = " ".join(text.split()).lower()
    for title, key in by_title.items():
        if title in lowered:
            return key
    return None


def numbering(printed: list[str] | None, cited_in_order: Iterable[str]) -> list[str]:
    """The guide's numbering: the printed list, then first citation.

    ``cited_in_order``: the citekeys the guide's claims link, claims in guide
    order and links in the order written (repeats allowed).
    """
    order = list(dict.fromkeys(printed or []))
    placed = set(order)
    for key in cited_in_order:
        if key not in placed:
            order.append(key)
            placed.add(key)
    return order
