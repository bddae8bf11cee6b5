"""Citekeys the project makes: first author's family name + year (``sederberg2022``).

One rule for every way a source comes in: ``evidence add`` (from Crossref's
record), ``evidence add --from-guide`` and the claim stubs of ``evidence
import`` (from the printed reference list), so a stub's drafted citekey is
the key the source gets when it is added.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from evidence.bib.references import InvalidDOI, normalise_doi

if TYPE_CHECKING:
    from evidence.bib.printed import PrintedCitation
    from evidence.bib.references import References

_FOLD = {
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "å": "aa", "Å": "AA", "ß": "ss",
    "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
    "œ": "oe", "Œ": "OE", "ı": "i", "ĳ": "ij",
}
_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "to", "de", "la", "le", "der", "die"}
_WORDS = re.compile(r"[^\W\d_]+")


def ascii_fold(text: str) -> str:
    """ASCII letters for a citekey: ø→o, æ→ae, å→aa, ü→u, é→e, ß→ss ..."""
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch) and ord(ch) < 128)


def citekey_base(*, family: str | None = None, organisation: str | None = None,
                 title: str | None = None, year: str | None = None) -> str:
    """The key before any suffix: the first author's family name (an organisation's
    initials: ``who``), else the title's first significant word, then the year
    (``nd`` without one); lower-case ASCII."""
    stem = ""
    if family:
        stem = family.split(", ")[0]
    elif organisation:
        significant = [w for w in _WORDS.findall(ascii_fold(organisation))
                       if w.lower() not in _STOP]
        stem = ("".join(w[0] for w in significant) if len(significant) > 1
                else "".join(significant))
    if not stem:
        cleaned = re.sub(r"\\[&%#$_]", " ", title or "")
        words = [w for w in _WORDS.findall(ascii_fold(cleaned)) if w.lower() not in _STOP]
        stem = words[0] if words else "anon"
    stem = re.sub(r"[^a-z0-9]", "", ascii_fold(stem).lower()) or "anon"
    return stem + (year or "nd")


def unique_citekey(base: str, taken: Iterable[str]) -> str:
    """``base``, else base+a, base+b, ... (compared without case, as BibTeX does)."""
    lowered = {k.lower() for k in taken}
    if base.lower() not in lowered:
        return base
    n = 0
    while True:
        suffix = ""
        m = n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        if (base + suffix).lower() not in lowered:
            return base + suffix
        n += 1


def printed_citekey_base(citation: PrintedCitation) -> str:
    """:func:`citekey_base` of a printed citation (an author without initials is an
    organisation, as the printed-list reader reads it)."""
    first = citation.authors[0] if citation.authors else None
    if first is not None and first.initials:
        return citekey_base(family=first.family, year=citation.year, title=citation.title)
    return citekey_base(organisation=first.family if first else None, title=citation.title,
                        year=citation.year)


def printed_citekeys(citations: list[PrintedCitation], references: References
                     ) -> list[str | None]:
    """The citekey of each printed citation, in list order: the key of its entry in
    references.bib (by DOI or recorded alias), else the key ``evidence add
    --from-guide`` gives it (printed first author and year, made unique against
    references.bib and the citations before it). None for a citation without a DOI
    that no entry holds (``add --from-guide`` adds nothing for it)."""
    by_doi: dict[str, str] = {}
    for source in references.sources:
        if source.doi:
            by_doi.setdefault(source.doi, source.key)
        alias = source.raw("doialias")
        if alias:
            with contextlib.suppress(InvalidDOI):
                by_doi.setdefault(normalise_doi(alias), source.key)
    taken = {source.key for source in references.sources}
    keys: list[str | None] = []
    for citation in citations:
        if citation.doi is None:
            keys.append(None)
        elif citation.doi in by_doi:
            keys.append(by_doi[citation.doi])
        else:
            key = unique_citekey(printed_citekey_base(citation), taken)
            taken.add(key)
            by_doi[citation.doi] = key
            keys.append(key)
    return keys
