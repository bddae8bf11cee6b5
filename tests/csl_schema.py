"""A checker for CSL-JSON items, after the CSL input schema (csl-data.json).

It checks what the schema requires: ``id`` and ``type`` present, ``type``
from the CSL type vocabulary, only CSL variables as keys, name variables as
lists of name objects with CSL's name parts, date variables as date-parts
(1 or 2 dates of 1 to 3 parts) or a literal/raw string, text variables as
strings and number variables as strings or numbers.
"""

from __future__ import annotations

from evidence.bib.csl import CSL_TYPES

NAME_VARIABLES = frozenset({
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director",
    "executive-producer", "guest", "host", "interviewer", "illustrator", "narrator",
    "organizer", "original-author", "performer", "producer", "recipient",
    "reviewed-author", "script-writer", "series-creator", "translator",
})
DATE_VARIABLES = frozenset({
    "accessed", "available-date", "event-date", "issued", "original-date", "submitted",
})
NUMBER_VARIABLES = frozenset({
    "chapter-number", "citation-number", "collection-number", "edition",
    "first-reference-note-number", "issue", "locator", "number", "number-of-pages",
    "number-of-volumes", "page", "page-first", "part", "printing", "supplement", "volume",
})
TEXT_VARIABLES = frozenset({
    "abstract", "annote", "archive", "archive_collection", "archive_location",
    "archive-place", "authority", "call-number", "citation-key", "citation-label",
    "collection-title", "container-title", "container-title-short", "dimensions",
    "division", "DOI", "event", "event-title", "event-place", "genre", "ISBN", "ISSN",
    "jurisdiction", "keyword", "language", "license", "medium", "note",
    "original-publisher", "original-publisher-place", "original-title", "part-title",
    "PMCID", "PMID", "publisher", "publisher-place", "references", "reviewed-genre",
    "reviewed-title", "scale", "section", "source", "status", "title", "title-short",
    "translated-title", "URL", "version", "year-suffix", "journalAbbreviation", "shortTitle",
})
NAME_PARTS = frozenset({
    "family", "given", "dropping-particle", "non-dropping-particle", "suffix",
    "comma-suffix", "static-ordering", "literal", "parse-names",
})


def csl_errors(items) -> list[str]:
    """Everything wrong with a CSL-JSON document (a list of items); [] when valid."""
    if not isinstance(items, list):
        return ["a CSL-JSON document is a list of items"]
    errors = []
    for n, item in enumerate(items):
        where = f"item {n} ({item.get('id') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict):
            errors.append(f"{where}: not an object")
            continue
        for required in ("id", "type"):
            if required not in item:
                errors.append(f"{where}: no {required}")
        if "id" in item and not isinstance(item["id"], (str, int, float)):
            errors.append(f"{where}: id must be a string or number")
        if "type" in item and item["type"] not in CSL_TYPES:
            errors.append(f"{where}: type {item['type']!r} is not a CSL type")
        for key, value in item.items():
            if key in ("id", "type", "custom", "categories"):
                continue
            if key in NAME_VARIABLES:
                errors += _name_errors(where, key, value)
            elif key in DATE_VARIABLES:
                errors += _date_errors(where, key, value)
            elif key in NUMBER_VARIABLES:
                if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                    errors.append(f"{where}: {key} must be a string or number")
            elif key in TEXT_VARIABLES:
                if not isinstance(value, str):
                    errors.append(f"{where}: {key} must be a string")
            else:
                errors.append(f"{where}: {key!r} is not a CSL variable")
    return errors


def _name_errors(where, key, value) -> list[str]:
    if not isinstance(value, list):
        return [f"{where}: {key} must be a list of names"]
    errors = []
    for name in value:
        if not isinstance(name, dict) or not name:
            errors.append(f"{where}: {key} has a name that is not an object")
            continue
        unknown = set(name) - NAME_PARTS
        if unknown:
            errors.append(f"{where}: {key} name has unknown parts {sorted(unknown)}")
        if not ({"family", "literal"} & set(name)):
            errors.append(f"{where}: {key} name has neither family nor literal")
        for part in ("family", "given", "literal", "suffix", "non-dropping-particle",
                     "dropping-particle"):
            if part in name and not (isinstance(name[part], str) and name[part]):
                errors.append(f"{where}: {key} name part {part} must be a non-empty string")
    return errors


def _date_errors(where, key, value) -> list[str]:
    if isinstance(value, str):
        return []
    if not isinstance(value, dict):
        return [f"{where}: {key} must be a date object"]
    unknown = set(value) - {"date-parts", "season", "circa", "literal", "raw", "edtf"}
    if unknown:
        return [f"{where}: {key} has unknown keys {sorted(unknown)}"]
    if "date-parts" in value:
        parts = value["date-parts"]
        if not (isinstance(parts, list) and 1 <= len(parts) <= 2):
            return [f"{where}: {key} date-parts must hold one or two dates"]
        for date in parts:
            if not (isinstance(date, list) and 1 <= len(date) <= 3
                    and all(isinstance(p, (int, str)) and not isinstance(p, bool)
                            for p in date)):
                return [f"{where}: {key} date {date!r} must be 1 to 3 numbers"]
    elif not ({"literal", "raw", "edtf"} & set(value)):
        return [f"{where}: {key} has neither date-parts nor literal"]
    return []
