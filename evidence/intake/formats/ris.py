"""RIS exports (Zotero, Mendeley, EndNote, PubMed), read with rispy.

rispy skips what it cannot read without a word (a record without ``ER``, a line
that is not a tag), so the file's structure is checked here first, line by line.
"""

from __future__ import annotations

import re

import rispy

from evidence.intake.formats.entry import FileProblems, IncomingEntry, keep_fields, own_citekey
from evidence.intake.formats.people import names_value, ris_person, text_value

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
ENTRY_TYPES = {
    "JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article",
    "NEWS": "article", "ABST": "article", "INPR": "article",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "ENCYC": "incollection",
    "DICT": "incollection",
    "CONF": "inproceedings", "CPAPER": "inproceedings",
    "RPRT": "techreport", "GOVDOC": "techreport", "THES": "phdthesis",
}
_CONTAINER = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle",
              "book": "series", "techreport": "series", "phdthesis": "series"}
# rispy's names of the tags read here; any other is named among the dropped fields.
_READ = {"type_of_reference", "authors", "first_authors", "secondary_authors", "title",
         "primary_title", "secondary_title", "tertiary_title", "journal_name",
         "alternate_title1", "alternate_title2", "alternate_title3", "year", "publication_year",
         "date", "volume", "number", "start_page", "end_page", "edition", "publisher",
         "place_published", "doi", "urls", "issn", "language", "short_title", "id",
         "access_date", "type_of_work"}
_ISBN = re.compile(r"^(?:97[89])?\d{9}[\dX]$")


def read_ris(text: str, path: str) -> list[IncomingEntry]:
    starts = _record_lines(text, path)
    records = rispy.loads(text)
    if len(records) != len(starts):  # cannot happen for a file the check let through
        raise FileProblems(path, [f"1: {len(starts)} records found, rispy read {len(records)}"])
    return [_entry(record, line) for line, record in zip(starts, records, strict=True)]


def _record_lines(text: str, path: str) -> list[int]:
    """The line of each record's TY; every problem of the file's structure, raised."""
    problems = []
    starts: list[int] = []
    open_at: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip("\ufeff").rstrip()
        if not line:
            continue
        match = _TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if open_at is not None:
                problems.append(f"{open_at}: the record has no end (an 'ER  - ' line) before "
                                f"the next begins at line {number}")
            open_at = number
            starts.append(number)
        elif open_at is None:
            problems.append(f"{number}: {'the tag ' + tag if tag else 'a line'} outside a "
                            "record (a record begins with 'TY  - ' and ends with 'ER  - ')")
        elif tag == "ER":
            open_at = None
        elif tag is None:
            problems.append(f"{number}: not a RIS line (a tag such as 'AU  - ' begins each "
                            "line)")
    if open_at is not None:
        problems.append(f"{open_at}: the record has no end (an 'ER  - ' line)")
    if not starts and not problems:
        problems.append("1: no RIS record (a record begins with 'TY  - ')")
    if problems:
        raise FileProblems(path, problems)
    return starts


def _first(record: dict, *names: str) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value and str(value).strip():
            return str(value).strip()
    return None


def _people(values) -> str | None:
    people = [ris_person(v) for v in values or [] if isinstance(v, str)]
    return names_value([p for p in people if p is not None])


def _entry(record: dict, line: int) -> IncomingEntry:
    entry_type = ENTRY_TYPES.get(str(record.get("type_of_reference") or "").upper(), "misc")
    pairs: list[tuple[str, str | None]] = [
        ("author", _people((record.get("authors") or []) + (record.get("first_authors") or []))),
        ("editor", _people(record.get("secondary_authors"))
         if entry_type in ("incollection", "inproceedings") else None),
        ("title", text_value(_first(record, "title", "primary_title"))),
        ("shorttitle", text_value(_first(record, "short_title"))),
    ]
    container = _first(record, "secondary_title", "journal_name", "alternate_title3")
    if container:
        pairs.append((_CONTAINER.get(entry_type, "howpublished"), text_value(container)))
    if entry_type == "article":
        pairs.append(("shortjournal", text_value(_first(record, "alternate_title1",
                                                        "alternate_title2"))))
    pairs.append(("series", text_value(_first(record, "tertiary_title"))))
    year, month = _date(_first(record, "year", "publication_year"), _first(record, "date"))
    pairs += [("year", year), ("month", month)]
    start, end = _first(record, "start_page"), _first(record, "end_page")
    pages = f"{start}--{end}" if start and end and start != end else start
    serial = _first(record, "issn")
    isbn = serial if serial and _ISBN.match(serial.replace("-", "")) else None
    pairs += [
        ("volume", text_value(_first(record, "volume"))),
        ("number", text_value(_first(record, "number"))),
        ("pages", text_value(pages)),
        ("edition", text_value(_first(record, "edition"))),
        ("publisher", text_value(_first(record, "publisher"))),
        ("address", text_value(_first(record, "place_published"))),
        ("type", text_value(_first(record, "type_of_work"))),
        ("doi", text_value(_first(record, "doi"))),
        ("url", _first(record, "urls")),
        ("isbn", isbn),
        ("issn", None if isbn else serial),
        ("language", text_value(_first(record, "language"))),
        ("urldate", _first(record, "access_date")),
    ]
    fields, dropped = keep_fields([(k, v) for k, v in pairs if v])
    dropped += [k for k in record if k not in _READ]
    return IncomingEntry(entry_type, own_citekey(_first(record, "id")), fields,
                         f"record at line {line}", dropped, line)


def _date(year: str | None, date: str | None) -> tuple[str | None, str | None]:
    """RIS dates: "2021", "2021///", "2021/05/03/", "2021/05//spring"; the month from
    PY, else from DA when it is of the same year."""
    parts = [re.match(r"\s*(\d{4})(?:[/-](\d{1,2}))?", value or "") for value in (year, date)]
    found = [m for m in parts if m]
    if not found:
        return None, None
    the_year = found[0].group(1)
    months = [m.group(2) for m in found if m.group(1) == the_year and m.group(2)]
    month = next((str(int(m)) for m in months if 1 <= int(m) <= 12), None)
    return the_year, month
