"""Names and plain text from CSL-JSON and RIS, written as the resolver writes them."""

from __future__ import annotations

import re

from evidence.crossref.mapping import MappedAuthor, bibtex_text, clean_text, names_field

_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def text_value(value: object) -> str | None:
    """A plain-text value (HTML tags stripped, whitespace collapsed) as raw BibTeX."""
    text = clean_text(value if isinstance(value, str | list) else str(value)) \
        if value is not None else ""
    return bibtex_text(text) if text else None


def csl_person(item: dict) -> MappedAuthor | None:
    """A CSL-JSON name: family with its particle ("van der Berg"), given, or a literal."""
    family = clean_text(item.get("family") or "")
    particle = clean_text(item.get("non-dropping-particle") or "")
    dropping = clean_text(item.get("dropping-particle") or "")
    given = " ".join(p for p in (clean_text(item.get("given") or ""), dropping) if p)
    literal = clean_text(item.get("literal") or "")
    if family:
        suffix = clean_text(item.get("suffix") or "")
        family = " ".join(p for p in (particle, family) if p)
        if suffix:
            family = f"{family}, {suffix}"
        return MappedAuthor(family=family, given=given or None, name=None, orcid=None)
    if literal:
        return MappedAuthor(family=None, given=None, name=literal, orcid=None)
    if given:
        return MappedAuthor(family=given, given=None, name=None, orcid=None)
    return None


def ris_person(value: str) -> MappedAuthor | None:
    """A RIS name: "Family, Given[, Suffix]", "Family G" (PubMed's form), or an organisation."""
    value = " ".join(value.split())
    if not value:
        return None
    if "," in value:
        family, _, rest = value.partition(",")
        given, _, suffix = rest.strip().partition(",")
        family = family.strip()
        if suffix.strip():
            family = f"{family}, {suffix.strip()}"
        return MappedAuthor(family=family, given=given.strip() or None, name=None, orcid=None)
    head, _, last = value.rpartition(" ")
    if head and _INITIALS.match(last):  # "Jones AB": initials without points
        given = " ".join(f"{letter}." for letter in re.findall(r"[A-Z]", last))
        return MappedAuthor(family=head, given=given, name=None, orcid=None)
    return MappedAuthor(family=None, given=None, name=value, orcid=None)


def names_value(people: list[MappedAuthor]) -> str | None:
    return names_field(people) if people else None
