"""DOIs: their syntax and their one canonical form (lower case, no resolver prefix)."""

from __future__ import annotations

import re

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)

class InvalidDOI(ValueError):
    pass


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


def doi_or_none(value: str | None) -> str | None:
    """The normalised DOI, or None when the value is empty or not a DOI."""
    if not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidDOI:
        return None
