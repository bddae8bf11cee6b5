"""Crossref work record → BibTeX fields of references.bib (DESIGN §2, §6).

:func:`map_work` turns the ``message`` of a ``/works/{doi}`` response into the
fields the resolver owns, as raw BibTeX values ready to be written (text
escaped, Unicode kept: the file is UTF-8). Nothing here touches a file.

Field conventions (the build reads them):

- ``author`` "Family, Given and ..."; organisations in braces; ``orcids`` the
  bare ORCID iDs aligned with the author positions, empty between semicolons
  for authors without one, omitted when nobody has one;
- ``journal`` (full container title) and ``shortjournal`` (Crossref's
  short-container-title); ``booktitle`` for proceedings papers and chapters;
- ``year``/``month``, ``volume``, ``number`` (issue), ``pages`` (ranges with
  ``--``; an article number when there is no page range);
- ``updates``: update notices (retraction, correction, ...) as read by
  :func:`evidence.bib.references.parse_updates`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from evidence.bib.references import Update, format_updates

# Crossref work type → BibTeX entry type. Unknown types become misc.
ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "reference-entry": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "book-track": "book",
    "proceedings": "proceedings",
    "proceedings-series": "proceedings",
    "report": "techreport",
    "report-component": "techreport",
    "report-series": "techreport",
    "dissertation": "phdthesis",
    "posted-content": "misc",  # preprints; biblatex would say @online
    "dataset": "misc",
    "standard": "misc",
    "peer-review": "misc",
    "component": "misc",
    "other": "misc",
}

# The container title goes into this field, by BibTeX entry type.
CONTAINER_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
}
CONTAINER_FIELDS = ("journal", "booktitle", "institution", "school")

# Every field the resolver may write. Anything else in an entry (studydesign,
# note, keywords, ...) belongs to an editor and is never touched.
OWNED_FIELDS = (
    "author", "orcids", "editor", "title", "journal", "shortjournal", "booktitle",
    "institution", "school", "year", "month", "volume", "number", "pages",
    "publisher", "issn", "isbn", "doi", "doialias", "updates", "metadatasource",
)

# Update types that are versions, not notices about the work's content.
_NOT_NOTICES = {"new_version", "new_edition"}
# Origins the resolver writes into `updates`; other origins were typed by an editor.
CROSSREF_ORIGINS = {"publisher", "retraction-watch", "crossref"}

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_LAYOUT_SLASH = re.compile(r"[ \t]*\n\s*/\s*\n\s*")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")
_PAGE_RANGE = re.compile(
    r"^([A-Za-z]*\d+[A-Za-z]*)\s*(?:-{1,2}|[\u2010\u2011\u2012\u2013\u2014\u2212])\s*"
    r"([A-Za-z]*\d+[A-Za-z]*)$"
)
_TO_ESCAPE = re.compile(r"(?<!\\)([&%#$_])")


@dataclass(frozen=True)
class MappedAuthor:
    family: str | None  # None for an organisation
    given: str | None
    name: str | None  # organisation name
    orcid: str | None


@dataclass
class MappedWork:
    doi: str  # lower case, as registered
    crossref_type: str
    entry_type: str
    fields: dict[str, str]  # BibTeX field → raw value, in a sensible order
    authors: list[MappedAuthor] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other DOIs Crossref lists for it


def clean_text(value) -> str:
    """Plain text from a Crossref string or list: HTML tags stripped, entities
    decoded, runs of whitespace (newlines included) collapsed."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        return ""
    text = _TAG.sub("", value)
    # Pretty-printed JATS puts every inline element on its own line:
    # "<i>KRAS</i>\n   /\n   <i>NRAS</i>" means "KRAS/NRAS", not "KRAS / NRAS".
    text = _LAYOUT_SLASH.sub("/", text)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def bibtex_text(value: str) -> str:
    """Escape a plain-text value for BibTeX: ``& % # $ _`` get a backslash,
    unbalanced braces are dropped (BibTeX counts every brace); Unicode stays."""
    text = _TO_ESCAPE.sub(r"\\\1", value)
    return _balance_braces(text)


def _balance_braces(text: str) -> str:
    keep = [True] * len(text)
    stack = []
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if stack:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k)


def _first(message: dict, name: str) -> str:
    return clean_text(message.get(name) or "")


def title_of(message: dict) -> str:
    title = _first(message, "title")
    subtitle = _first(message, "subtitle")
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}{' ' if title[-1:] in '?!:.' else ': '}{subtitle}" if title else subtitle
    return title


def date_parts(value) -> list[int]:
    """The leading non-null integer parts of a Crossref date object."""
    if not isinstance(value, dict):
        return []
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        out = []
        for part in parts[0]:
            try:
                out.append(int(part))
            except (TypeError, ValueError):
                break
        if out:
            return out
    stamp = value.get("date-time")
    if isinstance(stamp, str):
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", stamp)
        if match:
            return [int(g) for g in match.groups()]
    return []


def iso_date(parts: list[int]) -> str | None:
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:3]])


def publication_date(message: dict) -> list[int]:
    """The date a printed citation uses.

    A journal citation gives year, volume, issue and pages of the issue the
    article appeared in, so the issue's print date comes first:
    ``published-print``, then the print date of ``journal-issue``. Only when
    there is no print date (online-only journals, preprints, articles ahead of
    print) do we take ``issued`` (Crossref's earliest of print and online),
    then ``published-online``, ``published``, ``posted``. An article online in
    August 2020 and in the May 2021 issue is cited as 2021;74(5):314-320.
    ``created``/``deposited`` are registration dates, never used: without a
    publication date the year stays empty rather than wrong.
    """
    candidates = [
        message.get("published-print"),
        (message.get("journal-issue") or {}).get("published-print"),
        message.get("issued"),
        message.get("published-online"),
        message.get("published"),
        message.get("posted"),
    ]
    for candidate in candidates:
        parts = date_parts(candidate)
        if parts and 1000 <= parts[0] <= 9999:
            return parts
    return []


def bare_orcid(value) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ORCID.search(value)
    return match.group(1).upper() if match else None


def _person(item: dict) -> MappedAuthor | None:
    family = clean_text(item.get("family") or "")
    given = clean_text(item.get("given") or "")
    name = clean_text(item.get("name") or "")
    orcid = bare_orcid(item.get("ORCID"))
    if family:
        suffix = clean_text(item.get("suffix") or "")
        if suffix:
            family = f"{family}, {suffix}"  # kept apart by _bibtex_name
        return MappedAuthor(family=family, given=given or None, name=None, orcid=orcid)
    if name:
        return MappedAuthor(family=None, given=None, name=name, orcid=orcid)
    if given:  # a mononym registered as a given name only
        return MappedAuthor(family=given, given=None, name=None, orcid=orcid)
    return None


def _needs_braces(part: str) -> bool:
    return "," in part or re.search(r"\band\b", part, re.IGNORECASE) is not None


def _bibtex_name(author: MappedAuthor) -> str:
    if author.name is not None:
        return "{" + bibtex_text(author.name) + "}"
    family = author.family or ""
    suffix = None
    if ", " in family:
        family, suffix = family.split(", ", 1)
    family = bibtex_text(family)
    if _needs_braces(family) or (author.given is None and " " in family):
        family = "{" + family + "}"
    parts = [family]
    if suffix:
        parts.append(bibtex_text(suffix))
    if author.given:
        given = bibtex_text(author.given)
        parts.append("{" + given + "}" if _needs_braces(given) else given)
    elif suffix:
        parts.append("")
    return ", ".join(parts) if len(parts) > 1 else parts[0]


def names_field(authors: list[MappedAuthor]) -> str:
    return " and ".join(_bibtex_name(a) for a in authors)


def pages_of(message: dict) -> str | None:
    page = clean_text(message.get("page") or "")
    if page:
        match = _PAGE_RANGE.match(page)
        if match:
            start, end = match.groups()
            return start if start == end else f"{start}--{end}"
        return page
    number = clean_text(message.get("article-number") or "")
    return number or None


def notice_doi(value) -> str | None:
    """A notice DOI for the ``updates`` field: lower case; ``;`` (old SICI DOIs)
    percent-encoded because ``;`` separates the items of that field."""
    if not isinstance(value, str) or not value.strip():
        return None
    doi = value.strip().lower()
    doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", doi)
    return quote(doi, safe="/:()<>[]-._~,") if re.search(r"[;\s]", doi) else doi


def updates_of(message: dict) -> list[Update]:
    """Update notices from ``updated-by``, de-duplicated by (type, notice DOI).

    The same retraction can be asserted by the publisher and by Retraction
    Watch; it is recorded once, with the publisher as origin when both have it
    (the publisher's notice is the primary record) and Retraction Watch's
    ``record-id`` when either has one. Versions (new_version,
    new_edition) and entries pointing at the work itself are not notices.
    """
    own = (message.get("DOI") or "").lower()
    chosen: dict[tuple[str, str | None], Update] = {}
    for item in message.get("updated-by") or []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or "").strip().lower().replace("-", "_").replace(" ", "_")
        if not re.fullmatch(r"[a-z_]+", kind) or kind in _NOT_NOTICES:
            continue
        doi = notice_doi(item.get("DOI"))
        if doi and doi == own:
            continue
        origin = str(item.get("source") or "crossref").strip().lower()
        if not re.fullmatch(r"[a-z-]+", origin):
            origin = "crossref"
        record = str(item.get("record-id") or "").strip() or None
        if record is not None and not re.fullmatch(r"[\w.-]+", record):
            record = None
        update = Update(kind, doi, iso_date(date_parts(item.get("updated"))), origin, record)
        key = (kind, doi)
        before = chosen.get(key)
        if before is None or (origin == "publisher" and before.origin != "publisher"):
            chosen[key] = update
        # Retraction Watch's record id is kept whichever source's notice is chosen.
        record = chosen[key].record_id or record or (before.record_id if before else None)
        if record != chosen[key].record_id:
            chosen[key] = replace(chosen[key], record_id=record)
    return list(chosen.values())


def _issn(message: dict) -> str | None:
    typed = message.get("issn-type") or []
    for kind in ("print", "electronic"):
        for item in typed:
            if isinstance(item, dict) and item.get("type") == kind and item.get("value"):
                return str(item["value"])
    issns = message.get("ISSN") or []
    return str(issns[0]) if issns else None


def map_work(message: dict) -> MappedWork:
    """Map a Crossref work (the ``message`` of ``/works/{doi}``) to BibTeX fields."""
    if not isinstance(message, dict) or not isinstance(message.get("DOI"), str):
        raise ValueError("not a Crossref work record (no DOI in the message)")  # noqa: TRY004
    crossref_type = str(message.get("type") or "other")
    entry_type = ENTRY_TYPES.get(crossref_type, "misc")
    fields: dict[str, str] = {}  # in the order they are written

    authors = _people(message, "author")
    if authors:
        fields["author"] = names_field(authors)
    title = title_of(message)
    if title:
        fields["title"] = bibtex_text(title)
    publisher = clean_text(message.get("publisher") or "")
    fields.update(_container_fields(message, entry_type, publisher))
    if entry_type in ("incollection", "book", "proceedings"):
        editors = _people(message, "editor")
        if editors:
            fields["editor"] = names_field(editors)
    fields.update(_locator_fields(message))
    if entry_type != "article" and publisher:
        fields["publisher"] = bibtex_text(publisher)
    fields.update(_issn_or_isbn(message, entry_type))
    doi = message["DOI"].strip().lower()
    fields["doi"] = doi
    if any(a.orcid for a in authors):
        fields["orcids"] = ";".join(a.orcid or "" for a in authors)
    updates = updates_of(message)
    if updates:
        fields["updates"] = format_updates(updates)
    aliases = [a.lower() for a in message.get("aliases") or [] if isinstance(a, str)]
    return MappedWork(doi=doi, crossref_type=crossref_type, entry_type=entry_type,
                      fields=fields, authors=authors, updates=updates, aliases=aliases)


def _people(message: dict, role: str) -> list[MappedAuthor]:
    """The work's authors or editors that name someone."""
    people = (_person(i) for i in message.get(role) or [] if isinstance(i, dict))
    return [p for p in people if p is not None]


def _container_fields(message: dict, entry_type: str, publisher: str) -> dict[str, str]:
    """Where the work appeared: the journal (and its short title) or book, or the
    institution of a report or the school of a thesis."""
    container = _first(message, "container-title")
    short = _first(message, "short-container-title")
    institution = _institution(message)
    if entry_type in CONTAINER_FIELD and container:
        fields = {CONTAINER_FIELD[entry_type]: bibtex_text(container)}
        if entry_type == "article" and short and short != container:
            fields["shortjournal"] = bibtex_text(short)
        return fields
    if entry_type == "techreport" and (institution or publisher):
        return {"institution": bibtex_text(institution or publisher)}
    if entry_type == "phdthesis" and (institution or publisher):
        return {"school": bibtex_text(institution or publisher)}
    return {}


def _institution(message: dict) -> str:
    """The first institution with a name, or ''."""
    for inst in message.get("institution") or []:
        if isinstance(inst, dict) and inst.get("name"):
            return clean_text(inst["name"])
    return ""


def _locator_fields(message: dict) -> dict[str, str]:
    """Year, month, volume, number (the issue) and pages."""
    fields: dict[str, str] = {}
    date = publication_date(message)
    if date:
        fields["year"] = str(date[0])
        if len(date) > 1 and 1 <= date[1] <= 12:
            fields["month"] = str(date[1])
    volume = clean_text(message.get("volume") or "")
    if volume:
        fields["volume"] = bibtex_text(volume)
    issue = clean_text(message.get("issue") or "") or clean_text(
        (message.get("journal-issue") or {}).get("issue") or "")
    if issue:
        fields["number"] = bibtex_text(issue)
    pages = pages_of(message)
    if pages:
        fields["pages"] = bibtex_text(pages)
    return fields


def _issn_or_isbn(message: dict, entry_type: str) -> dict[str, str]:
    """An article's ISSN, or the ISBN of a book or of what appeared in one."""
    if entry_type == "article":
        issn = _issn(message)
        return {"issn": issn} if issn else {}
    if entry_type in ("book", "incollection", "proceedings", "inproceedings"):
        isbns = message.get("ISBN") or []
        if isbns:
            return {"isbn": str(isbns[0])}
    return {}
