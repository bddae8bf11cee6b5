"""The project's citekeys for entries that come in: first author's family name
(an organisation's initials) and year, made unique with a, b, c (``sederberg2022``).

The rule itself is ``evidence add``'s, kept in one place; this module only calls
it with an incoming entry's fields, so a printed entry and the Crossref record
of the same work get the same key. Today the rule lives in
:mod:`evidence.crossref.resolve`; when it moves to its shared home
(``evidence.bib.citekeys``, with the same keyword arguments) only the two
functions below change.
"""

from __future__ import annotations

from collections.abc import Iterable

from evidence.crossref import resolve
from evidence.crossref.mapping import MappedAuthor, MappedWork
from evidence.intake.formats.entry import IncomingEntry


def citekey_base(*, family: str | None, organisation: str | None, title: str | None,
                 year: str | None) -> str:
    """The key before any suffix (the rule of :func:`evidence.crossref.resolve.citekey_base`)."""
    authors = ([MappedAuthor(family=family, given=None, name=organisation, orcid=None)]
               if family or organisation else [])
    fields = {name: value for name, value in (("title", title), ("year", year)) if value}
    return resolve.citekey_base(MappedWork(doi="", crossref_type="", entry_type="",
                                           fields=fields, authors=authors))


def unique_citekey(base: str, taken: Iterable[str]) -> str:
    return resolve.unique_citekey(base, set(taken))


def ascii_fold(text: str) -> str:
    """ASCII letters, as citekeys are made (ø→o, æ→ae, ü→u)."""
    return resolve.ascii_fold(text)


def project_citekey(entry: IncomingEntry, taken: Iterable[str]) -> str:
    """The key ``evidence add`` gives the entry: from the same fields a Crossref
    record's key is made of (the first author's family name, or an organisation,
    and the year)."""
    first = entry.authors[0] if entry.authors else None
    family = first.full_family if first is not None and first.literal is None else None
    organisation = first.literal if first is not None else None
    return unique_citekey(citekey_base(family=family, organisation=organisation,
                                       title=entry.raw("title"), year=entry.year), taken)
