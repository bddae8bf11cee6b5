"""DOIs: their syntax and their one canonical form (lower case, no resolver prefix)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)

class InvalidDOI(ValueError):
    pass


@lru_cache(maxsize=65536)
def normalise_doi(value: str) -> str:
    """Lower-case a DOI and strip any resolver prefix; raise InvalidDOI if malformed.

    DOIs are case-insensitive by definition (ISO 26324), so lower case is the
    canonical form kept in references.bib.
    """
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    if not DOI_PATTERN.match(doi):
        raise InvalidDOI(
            f"{value!r} is not a DOI: a DOI starts with '10.', a registrant code "
            "of 4 to 9 digits, '/', then a suffix without spaces (e.g. 10.1002/pmrj.12667)"
        )
    return doi


@lru_cache(maxsize=65536)
def doi_or_none(value: str | None) -> str | None:
    """The normalised DOI, or None when the value is empty or not a DOI."""
    if not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidDOI:
        return None


class HasDois(Protocol):
    """What the index reads of a source (a :class:`evidence.bib.references.Source`)."""

    @property
    def key(self) -> str: ...

    def raw(self, name: str) -> str | None: ...


_ALIAS_SEPARATORS = re.compile(r"[\s;,]+")


@dataclass
class DoiIndex:
    """Every DOI of references.bib to its source's citekey: each entry's ``doi`` and
    the aliases the resolver recorded in ``doialias`` (Crossref's redirects).

    The one index check, the printed-list reader, the bibliography's numbering and
    resolve share, so a DOI printed or typed in any spelling (``https://doi.org/…``,
    upper case, an alias) finds the same source everywhere. A DOI that is one
    entry's ``doi`` and another's alias belongs to the first.
    """

    primary: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sources: Iterable[HasDois]) -> DoiIndex:
        index = cls()
        for source in sources:
            index.add(source)
        return index

    def add(self, source: HasDois) -> None:
        """Index one source (an entry just added to references.bib, say)."""
        doi = doi_or_none(source.raw("doi"))
        if doi:
            self.primary.setdefault(doi, source.key)
        for alias in _ALIAS_SEPARATORS.split(source.raw("doialias") or ""):
            alias_doi = doi_or_none(alias)
            if alias_doi:
                self.aliases.setdefault(alias_doi, source.key)

    def note(self, doi: str, key: str) -> None:
        """Record a DOI an entry being added will carry, before it is in references.bib."""
        self.primary.setdefault(normalise_doi(doi), key)

    def key(self, doi: str | None) -> str | None:
        """The citekey of the source with this DOI (or alias), in any spelling."""
        normal = doi_or_none(doi)
        if normal is None:
            return None
        return self.primary.get(normal) or self.aliases.get(normal)

    def is_alias(self, doi: str) -> bool:
        """True when the DOI is known only as an alias (an older DOI of a work)."""
        normal = doi_or_none(doi)
        return normal is not None and normal not in self.primary and normal in self.aliases

    def __contains__(self, doi: object) -> bool:
        return isinstance(doi, str) and self.key(doi) is not None
