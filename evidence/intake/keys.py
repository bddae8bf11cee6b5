"""The project's citekeys for entries that come in: first author's family name
(an organisation's initials) and year, made unique with a, b, c (``sederberg2022``).

The rule is :mod:`evidence.bib.citekeys`, the one ``evidence add`` and drafted
stubs use; this module only applies it to an incoming entry's fields, so a
printed entry and the Crossref record of the same work get the same key.
"""

from __future__ import annotations

from collections.abc import Iterable

from evidence.bib.citekeys import citekey_base, unique_citekey
from evidence.intake.formats.entry import IncomingEntry


def project_citekey(entry: IncomingEntry, taken: Iterable[str]) -> str:
    """The key ``evidence add`` gives the entry: from the same fields a Crossref
    record's key is made of (the first author's family name, or an organisation,
    and the year)."""
    first = entry.authors[0] if entry.authors else None
    family = first.full_family if first is not None and first.literal is None else None
    organisation = first.literal if first is not None else None
    return unique_citekey(citekey_base(family=family, organisation=organisation,
                                       title=entry.raw("title"), year=entry.year), taken)
