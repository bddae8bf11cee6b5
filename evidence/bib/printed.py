"""Printed citations: a guide's "Kilder" list read and checked against references.bib.

The list is printed in AMA/Vancouver form, one entry per list item::

    Sederberg M, LaMarche L, Skinner L, Cushman DM. Distal semimembranosus
    tendinopathy: A narrative review. PM R. 2022;14(8):1010-1017. DOI: 10.1002/pmrj.12667

:func:`parse_printed_citations` reads it (never raising: what it cannot read
becomes a problem on the citation); :func:`compare_printed_citations` compares
each printed citation field by field with the registered record of the same
DOI and returns the differences (for `evidence check`, as findings);
:func:`missing_printed_dois` lists printed DOIs that references.bib lacks
(`evidence add --from-guide` adds them).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.bib.doi import InvalidDOI, normalise_doi
from evidence.bib.initials import initials
from evidence.errors import EvidenceError

if TYPE_CHECKING:
    from evidence.bib.references import References, Source

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\[\d+\]\s*)")
_DOI_AT_END = re.compile(
    # "DOI: 10.…", "doi:10.…", "https://doi.org/10.…" and "DOI: https://doi.org/10.…"
    r"(?:\bdoi\s*:?\s*(?:https?://(?:dx\.)?doi\.org/)?|https?://(?:dx\.)?doi\.org/)"
    r"(?P<doi>10\.\d{4,9}/\S+?)[.,;]?\s*$",
    re.IGNORECASE,
)
_TRAILING_IDS = re.compile(r"\s*\b(?:PMID|PMCID)\s*:?\s*\S+\.?\s*$", re.IGNORECASE)
_LOCATOR = re.compile(
    r"(?:^|(?<=[.?!])\s+)(?P<year>\d{4})[a-z]?(?:\s+[A-Z][a-z]{2}[^;]*?)?;\s*"
    r"(?P<volume>[^\s();:]+)?\s*(?:\((?P<issue>[^)]*)\))?\s*"
    r"(?::\s*(?P<pages>[^\s;]+?))?\s*\.?\s*$"
)
_AUTHORS = re.compile(r"^(?P<authors>.*?)(?P<etal>,?\s*et\s+al)?\.\s+(?P<rest>.*)$", re.DOTALL)
_INITIALS = re.compile(r"^[A-Z](?:[A-Z]|-[A-Z]){0,4}$")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]")


@dataclass(frozen=True)
class PrintedAuthor:
    family: str
    initials: str = ""  # "" for an organisation

    def __str__(self) -> str:
        return f"{self.family} {self.initials}".strip()


@dataclass
class PrintedCitation:
    number: int  # position in the list, 1-based
    line: int  # line of the item (1-based, in the text given; see first_line)
    text: str
    authors: list[PrintedAuthor] = field(default_factory=list)
    et_al: bool = False
    title: str | None = None
    journal: str | None = None
    year: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def authors_text(self) -> str:
        return format_authors([str(a) for a in self.authors], self.et_al)


@dataclass(frozen=True)
class CitationDifference:
    field: str  # authors, title, journal, year, volume, issue, pages, doi, citation
    printed: str | None
    registered: str | None
    number: int  # position of the citation in the printed list
    line: int | None
    doi: str | None
    citekey: str | None
    message: str

    @property
    def key(self) -> str | None:
        return self.citekey


# ---------------------------------------------------------------------------
# finding and reading the list


def _items(section_text: str) -> list[tuple[int, str]]:
    """(line, text) of each list item; continuation lines are joined."""
    items: list[tuple[int, list[str]]] = []
    for number, line in enumerate(section_text.splitlines(), start=1):
        if not line.strip():
            if items and items[-1][1]:
                items[-1][1].append("")  # a blank line ends the item
            continue
        if _HEADING.match(line):
            continue
        if _ITEM.match(line):
            items.append((number, [_ITEM.sub("", line, count=1).strip()]))
        elif items and items[-1][1][-1] != "":
            items[-1][1].append(line.strip())
        else:
            items.append((number, [line.strip()]))
    return [(n, " ".join(p for p in parts if p)) for n, parts in items]


def parse_printed_citations(section_text: str, *, first_line: int = 1) -> list[PrintedCitation]:
    """Read every list item of a Kilder section; never raises."""
    citations = []
    try:
        items = _items(section_text or "")
    except Exception as exc:  # noqa: BLE001 - the parser must never raise
        return [PrintedCitation(1, first_line, str(section_text)[:200],
                                problems=[f"could not read the list: {exc}"])]
    for number, (line, text) in enumerate(items, start=1):
        citation = PrintedCitation(number, line + first_line - 1, text)
        try:
            _parse_into(citation, text)
        except Exception as exc:  # noqa: BLE001
            citation.problems.append(f"could not read the citation: {exc}")
        citations.append(citation)
    return citations


def _parse_into(c: PrintedCitation, text: str) -> None:
    body = " ".join(text.split())
    match = _DOI_AT_END.search(body)
    if match:
        try:
            c.doi = normalise_doi(match.group("doi"))
        except InvalidDOI:
            c.problems.append(f"the printed DOI {match.group('doi')!r} is not a valid DOI")
        body = body[:match.start()].rstrip()
    else:
        c.problems.append("no DOI printed")
    body = _TRAILING_IDS.sub("", body).rstrip()
    locator = _LOCATOR.search(body)
    if locator:
        c.year = locator.group("year")
        c.volume = locator.group("volume")
        c.issue = locator.group("issue")
        c.pages = locator.group("pages")
        head = body[:locator.start()].rstrip()
    else:
        c.problems.append("no 'year;volume(issue):pages' part found")
        head = body
    head = head.rstrip(". ")
    authors = _AUTHORS.match(head)
    if not authors:
        c.problems.append("cannot tell the authors from the title")
        return
    c.et_al = bool(authors.group("etal"))
    c.authors, problem = _parse_authors(authors.group("authors"))
    if problem:
        c.problems.append(problem)
    rest = authors.group("rest").strip()
    boundaries = list(re.finditer(r"[.?!]\s+", rest))
    # Title and journal are told apart by the sentence before the locator; with
    # no locator, only the first sentence is taken as the title, no journal.
    boundary = (boundaries[-1] if locator else boundaries[0]) if boundaries else None
    if boundary is None:
        if locator:
            c.problems.append("cannot tell the title from the journal")
        c.title = rest or None
        return
    mark = rest[boundary.start()]
    c.title = rest[:boundary.start() + (1 if mark in "?!" else 0)].strip() or None
    if locator:
        c.journal = rest[boundary.end():].strip().rstrip(".") or None


def _parse_authors(text: str) -> tuple[list[PrintedAuthor], str | None]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    authors = []
    unreadable = []
    for part in parts:
        family, _, initials = part.rpartition(" ")
        if family and _INITIALS.match(initials):
            authors.append(PrintedAuthor(family, initials))
        else:
            authors.append(PrintedAuthor(part, ""))
            unreadable.append(part)
    if unreadable and len(parts) > 1:
        return authors, ("author names without initials: " + ", ".join(unreadable))
    return authors, None


# ---------------------------------------------------------------------------
# comparing with references.bib


def format_authors(names: list[str], et_al: bool) -> str:
    text = ", ".join(names)
    if et_al:
        text += ", et al." if text else "et al."
    return text


def _fold(text: str | None) -> str:
    """Case, punctuation and spacing aside (for titles and journals)."""
    if not text:
        return ""
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def _name_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _DASHES.sub("-", text).replace("\u2019", "'").replace("`", "'")
    return " ".join(text.replace("{", "").replace("}", "").split()).casefold()


def _page_range(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    value = _DASHES.sub("-", value.strip()).replace("--", "-")
    start, sep, end = value.partition("-")
    start, end = start.strip().lower(), end.strip().lower()
    if not sep or not end:
        return (start, start)
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[:len(start) - len(end)] + end  # 241-7 → 241-247
    return (start, end)


def _simple(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def missing_printed_dois(section_text: str, references: References) -> list[str]:
    """Printed DOIs (in list order) that are neither a doi nor a doialias in
    references.bib."""
    index = references.doi_index()
    missing = []
    for citation in parse_printed_citations(section_text):
        doi = citation.doi
        if doi and doi not in index and doi not in missing:
            missing.append(doi)
    return missing


def compare_printed_citations(section_text: str, references: References, *,
                              first_line: int = 1) -> list[CitationDifference]:
    """Differences between each printed citation and its registered record.

    Matched by DOI (or a recorded alias); a citation without DOI is matched by
    title. Printed DOIs absent from references.bib give no difference here:
    :func:`missing_printed_dois` lists them. An unreadable citation gives one
    difference with field ``citation``.
    """
    index = references.doi_index()
    by_title = {_fold(s.text("title")): s for s in references.sources if s.raw("title")}
    out: list[CitationDifference] = []
    for c in parse_printed_citations(section_text, first_line=first_line):
        source = None
        if c.doi:
            key = index.key(c.doi)
            if key is None:
                continue
            source = references.get(key)
        elif c.title:
            source = by_title.get(_fold(c.title))
        readable = [p for p in c.problems if p != "no DOI printed"]
        if readable or (source is None and not c.doi):
            message = "; ".join(c.problems) if c.problems else "unreadable citation"
            if source is None and not c.doi:
                message += "; no entry of references.bib has this title, so it cannot be checked"
            out.append(CitationDifference("citation", c.text, None, c.number, c.line, c.doi,
                                          source.key if source else None,
                                          f"citation {c.number}: {message}"))
        if source is not None:
            out.extend(_compare(c, source))
    return out


def _compare(c: PrintedCitation, s: Source) -> list[CitationDifference]:
    diffs: list[CitationDifference] = []

    def add(name: str, printed, registered, message: str) -> None:
        diffs.append(CitationDifference(name, printed, registered, c.number, c.line, c.doi,
                                        s.key, f"citation {c.number} ({s.key}): {message}"))

    diffs_authors = _compare_authors(c, s)
    for printed_names, registered_names, message in diffs_authors:
        add("authors", printed_names, registered_names, message)

    registered_title = s.text("title")
    if c.title is not None and _fold(c.title) != _fold(registered_title):
        add("title", c.title, registered_title, "title differs from the registered title")

    if c.journal is not None:
        candidates = [s.text(n) for n in ("shortjournal", "journal", "booktitle")]
        candidates = [x for x in candidates if x]
        if candidates and _fold(c.journal) not in {_fold(x) for x in candidates}:
            add("journal", c.journal, candidates[0],
                "journal abbreviation differs from the registered one")

    for name, printed, registered in (("year", c.year, s.text("year")),
                                      ("volume", c.volume, s.text("volume")),
                                      ("issue", c.issue, s.text("number"))):
        if printed is None and registered is None:
            continue
        if c.year is None and c.problems:
            continue  # the locator was not read; already reported as unreadable
        if _simple(printed) != _simple(registered):
            add(name, printed, registered,
                f"{name} printed {printed or '(none)'}, registered {registered or '(none)'}")

    registered_pages = s.text("pages")
    if ((c.pages or registered_pages) and not (c.year is None and c.problems)
            and _page_range(c.pages) != _page_range(registered_pages)):
        add("pages", c.pages, registered_pages,
                f"pages printed {c.pages or '(none)'}, registered {registered_pages or '(none)'}")

    if c.doi and s.doi and c.doi != s.doi:
        add("doi", c.doi, s.doi, f"the printed DOI {c.doi} is an alias; the registered "
            f"DOI is {s.doi}")
    return diffs


def _compare_authors(c: PrintedCitation, s: Source) -> list[tuple[str, str, str]]:
    registered = s.authors
    if not c.authors and not registered:
        return []
    truncated = bool(re.search(r"\band\s+others\s*$", s.raw("author") or ""))
    names_r = [f"{a.family} {initials(a.given)}".strip() for a in registered]
    out = []
    for i, (p, r) in enumerate(zip(c.authors, registered, strict=False), start=1):
        same_family = _name_key(p.family) == _name_key(r.family)
        same_initials = (not r.given or not p.initials
                         or p.initials.replace("-", "").upper()
                         == initials(r.given).replace("-", "").upper())
        if not (same_family and same_initials):
            out.append((str(p), names_r[i - 1],
                        f"author {i} printed {str(p)!r}, registered {names_r[i - 1]!r}"))
    n_p, n_r = len(c.authors), len(registered)
    printed_list = c.authors_text
    registered_list = format_authors(names_r, truncated)
    if c.et_al:
        if not truncated and n_r <= n_p:
            out.append((printed_list, registered_list,
                        (f"'et al.' printed, but the work has {n_r} author"
                         f"{'s' if n_r != 1 else ''}, all of them printed")))
    elif n_r > n_p and not truncated:
        missing = ", ".join(names_r[n_p:])
        out.append((printed_list, registered_list,
                    (f"{n_p} author{'s' if n_p != 1 else ''} printed, {n_r} registered; "
                     f"missing: {missing} (or print 'et al.')")))
    elif n_p > n_r and not truncated:
        extra = ", ".join(str(a) for a in c.authors[n_r:])
        out.append((printed_list, registered_list,
                    f"{n_p} authors printed, {n_r} registered; not registered: {extra}"))
    return out


def guide_path(project: Path, guide: str) -> Path:
    """A guide given as a slug (claims/<slug>/guide.md), a folder or a file."""
    candidates = [Path(guide), Path(guide) / "guide.md",
                  Path(project) / "claims" / guide / "guide.md"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise EvidenceError(f"no guide {guide!r}: expected {Path(project) / 'claims' / guide / 'guide.md'}"
                        " or a path to a guide.md")
