"""CSL-JSON exports (Zotero, Better CSL JSON, Mendeley, citation.js): an array of items."""

from __future__ import annotations

import json

from evidence.bib.csl_types import AND_OTHERS
from evidence.crossref.mapping import date_parts, iso_date, pages_of
from evidence.intake.formats.entry import FileProblems, IncomingEntry, keep_fields, own_citekey
from evidence.intake.formats.people import csl_person, names_value, text_value

# CSL type -> BibTeX entry type (the inverse of evidence.bib.csl_types, as far as it goes).
ENTRY_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "review": "article", "review-book": "article",
    "book": "book", "chapter": "incollection", "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection", "entry": "incollection",
    "paper-conference": "inproceedings", "report": "techreport", "thesis": "phdthesis",
    "dataset": "misc", "webpage": "misc", "post-weblog": "misc", "document": "misc",
}
# Where the container's title goes, by entry type (a website's name: howpublished).
_CONTAINER = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle",
              "book": "series", "techreport": "series", "phdthesis": "series"}
# CSL variables read here; any other is named among the dropped fields.
_READ = {"id", "type", "author", "editor", "translator", "title", "title-short",
         "container-title", "container-title-short", "journalAbbreviation", "collection-title",
         "issued", "accessed", "volume", "issue", "number", "page", "edition", "publisher",
         "publisher-place", "genre", "DOI", "URL", "ISBN", "ISSN", "PMID", "PMCID", "language",
         "number-of-pages", "citation-key", "custom"}


def read_csl_json(text: str, path: str) -> list[IncomingEntry]:
    problems: list[str] = []
    items = _items_with_lines(text, path)
    entries = []
    for number, (line, item) in enumerate(items, start=1):
        where = f"item {number} (line {line})"
        if not isinstance(item, dict):
            problems.append(f"{line}: item {number} is not an object")
            continue
        try:
            entries.append(_entry(item, where, line))
        except (TypeError, ValueError, AttributeError) as exc:
            label = item.get("id", number)
            problems.append(f"{line}: item {label!r} cannot be read: {exc}")
    if problems:
        raise FileProblems(path, problems)
    return entries


def _items_with_lines(text: str, path: str) -> list[tuple[int, object]]:
    """The items of the top-level array and the line each begins on."""
    decoder = json.JSONDecoder()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblems(path, [f"{exc.lineno}: not JSON: {exc.msg} (column {exc.colno})"]
                           ) from None
    if isinstance(data, dict):
        return [(1, data)]  # one item, as some tools export a single reference
    if not isinstance(data, list):
        raise FileProblems(path, ["1: CSL-JSON is an array of items; this is "
                                  f"{type(data).__name__}"])
    out = []
    position = text.index("[") + 1
    for _ in data:
        while text[position] in " \t\r\n,":
            position += 1
        item, end = decoder.raw_decode(text, position)
        out.append((text.count("\n", 0, position) + 1, item))
        position = end
    return out


def _people(item: dict, role: str) -> str | None:
    value = item.get(role) or []
    if not isinstance(value, list):
        raise TypeError(f"{role} is not a list of names")
    people = [csl_person(p) for p in value if isinstance(p, dict)]
    names = names_value([p for p in people if p is not None])
    custom = item.get("custom")
    incomplete = custom.get(AND_OTHERS) if isinstance(custom, dict) else None
    if names and isinstance(incomplete, list) and role in incomplete:
        names += " and others"  # evidence's own export: the list was incomplete
    return names


def _entry(item: dict, where: str, line: int) -> IncomingEntry:
    csl_type = str(item.get("type") or "")
    entry_type = ENTRY_TYPES.get(csl_type, "misc")
    pairs: list[tuple[str, str | None]] = [
        ("author", _people(item, "author")),
        ("editor", _people(item, "editor")),
        ("translator", _people(item, "translator")),
        ("title", text_value(item.get("title"))),
        ("shorttitle", text_value(item.get("title-short"))),
    ]
    container = text_value(item.get("container-title"))
    if container:
        pairs.append((_CONTAINER.get(entry_type, "howpublished"), container))
    short = item.get("container-title-short") or item.get("journalAbbreviation")
    pairs.append(("shortjournal", text_value(short) if entry_type == "article" else None))
    pairs.append(("series", text_value(item.get("collection-title"))))
    issued = date_parts(item.get("issued"))
    if issued:
        pairs.append(("year", str(issued[0])))
        if len(issued) > 1 and 1 <= issued[1] <= 12:
            pairs.append(("month", str(issued[1])))
    elif isinstance(item.get("issued"), dict) and item["issued"].get("literal"):
        pairs.append(("year", text_value(item["issued"]["literal"])))
    pairs += [
        ("volume", text_value(item.get("volume"))),
        ("number", text_value(item.get("issue") or item.get("number"))),
        ("pages", text_value(pages_of({"page": item.get("page") or ""}))),
        ("edition", text_value(item.get("edition"))),
        ("publisher", text_value(item.get("publisher"))),
        ("address", text_value(item.get("publisher-place"))),
        ("type", text_value(item.get("genre"))),
        ("pagetotal", text_value(item.get("number-of-pages"))),
        ("doi", text_value(item.get("DOI"))),
        ("url", _plain(item.get("URL"))),
        ("isbn", _plain(item.get("ISBN"))),
        ("issn", _plain(item.get("ISSN"))),
        ("pmid", _plain(item.get("PMID"))),
        ("pmcid", _plain(item.get("PMCID"))),
        ("language", _plain(item.get("language"))),
        ("urldate", iso_date(date_parts(item.get("accessed")))),
    ]
    fields, dropped = keep_fields([(k, v) for k, v in pairs if v])
    dropped += [k for k in item if k not in _READ]
    key = own_citekey(str(item.get("citation-key") or item.get("id") or ""))
    return IncomingEntry(entry_type, key, fields, where, dropped, line)


def _plain(value: object) -> str | None:
    """An identifier, URL or code as it is (only BibTeX's special braces kept out)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else ""
    text = " ".join(str(value).split()).replace("{", "").replace("}", "")
    return text or None
