"""BibTeX to CSL-JSON: the input pandoc's citeproc formats (DESIGN §8).

references.bib keeps every value as written; this module decodes LaTeX for
output only. Field values become CSL "rich text": the small HTML subset that
CSL processors read in strings (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
``<span class="nocase">``), so a BibTeX title keeps what its braces and
``\\emph`` say: ``{YouTube}`` is protected from case changes, ``\\emph{in
vivo}`` stays italic.

The mapping follows BibTeX and biblatex semantics:

- names: ``von`` parts become ``non-dropping-particle`` (AMA prints "van der
  Berg J"), ``jr`` parts ``suffix``, a name written in braces
  (``{World Health Organization}``) a ``literal``; ``and others`` is no
  name: CSL-JSON has no way to say a list is incomplete, and citeproc-js and
  citeproc-py print a name "others" as written, so it is left out and the
  style's et-al rules decide; ``custom: {"and-others": ["author"]}`` keeps
  the fact, for pandoc (bibliography/formatting.py gives it pandoc's own
  ``{"literal": "others"}``, printed as the style's et-al term) and for
  BibTeX written from CSL;
- types: every BibTeX and biblatex entry type (``TYPES``); ``@misc`` becomes
  CSL's generic ``document`` (pandoc's own BibTeX reader leaves it empty);
- page ranges ``--`` become ``-`` (the style decides how to print a range);
- ``number`` is the issue of an article, the number of a report and the
  series number of a book; ``journal`` is ``container-title`` and
  ``shortjournal`` ``container-title-short``;
- ``year``/``month``/``day`` or biblatex ``date`` become ``issued`` date parts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from evidence.bib.csl_types import AND_OTHERS, TYPES
from evidence.bib.doi import InvalidDOI, normalise_doi
from evidence.bib.latex import latex_to_csl, latex_to_text
from evidence.bib.references import expand_macros

if TYPE_CHECKING:
    from evidence.bib.names import PersonName
    from evidence.bib.references import Source

# Every CSL type, for validation (CSL 1.0.2).
CSL_TYPES = frozenset({
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
})

_THESIS_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar"), ("feb", "february", "februar"),
            ("mar", "march", "marts", "mär", "märz"), ("apr", "april"),
            ("may", "maj", "mai"), ("jun", "june", "juni"), ("jul", "july", "juli"),
            ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"), ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ],
        start=1,
    )
    for name in names
}
_PAGE_DASH = re.compile(r"\s*(?:-{1,3}|\u2013|\u2014|\u2012|\u2010|\u2011)\s*")
_URL_MACRO = re.compile(r"^\s*\\url\s*\{(?P<url>[^{}]*)\}\s*$")
_ISO_DATE = re.compile(r"^(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_CHAPTER_NUMBER = re.compile(r"^[\dIVXLCivxlc]+[a-z]?$")
_YEAR = re.compile(r"\s*(\d{1,4})\s*")
_YEAR_IN_TEXT = re.compile(r"\b(\d{4})\b")


# The fields most entries lack (a journal article has none of them): an entry
# with none skips their lookups, two thirds of the ones an item makes.
_RARE_FIELDS = frozenset({
    "editor", "translator", "shorttitle", "shortjournal", "series", "edition", "pagetotal",
    "address", "location", "type", "isbn", "issn", "pmid", "pmcid", "langid", "language",
    "note", "urldate", "url", "eprint",
})


def source_to_csl(source: Source) -> dict:
    """One references.bib entry as a CSL-JSON item (a plain dict)."""
    values = source  # fields by name in any case, indexed once (Source._by_name)
    csl_type = _csl_type(values)
    item: dict = {"id": source.key, "type": csl_type}
    # False only when the entry has none of _RARE_FIELDS (and is no thesis, whose
    # genre comes from its type): each value asked for below under ``if rare`` is
    # then None, which put() leaves out, so the item is the same without them.
    rare = (not _RARE_FIELDS.isdisjoint(source.raw_values)
            or source.entry_type in _THESIS_GENRE)

    def put(name: str, value) -> None:
        if value not in (None, "", []):
            item[name] = value

    and_others = []
    for field, variable in (("author", "author"), ("editor", "editor"),
                            ("translator", "translator")):
        if variable != "author" and not rare:
            continue
        people = source.names(field)
        if any(person.others for person in people):
            and_others.append(variable)
        put(variable, [_csl_name(n) for n in people if not n.others])

    title, container_title, chapter = _titles(values, csl_type)
    put("title", title)
    if rare:
        put("title-short", _rich(values, "shorttitle"))
    put("container-title", container_title)
    if rare:
        put("container-title-short", _rich(values, "shortjournal"))
        put("collection-title", _rich(values, "series"))
    put("chapter-number", chapter)

    for name, value in _numbers(values, csl_type, in_series=bool(item.get("collection-title"))):
        put(name, value)
    put("volume", _plain(values, "volume"))
    if rare:
        put("edition", _plain(values, "edition"))
    put("page", _pages(values.raw("pages")))
    if rare:
        put("number-of-pages", _plain(values, "pagetotal"))

    publisher, url = _publisher_and_url(values)
    put("publisher", publisher)
    if rare:
        put("publisher-place", _rich(values, "address") or _rich(values, "location"))
        put("genre", _rich(values, "type") or _THESIS_GENRE.get(source.entry_type))

    put("DOI", _doi(values))
    if rare:
        put("URL", url or _arxiv_url(values))
        put("ISBN", _plain(values, "isbn"))
        put("ISSN", _plain(values, "issn"))
        put("PMID", _plain(values, "pmid"))
        put("PMCID", _plain(values, "pmcid"))
        put("language", _plain(values, "langid") or _plain(values, "language"))
        put("note", _rich(values, "note"))
    else:
        put("URL", url)  # a \url{...} given as howpublished

    issued, status = _issued(values)
    put("issued", issued)
    put("status", status)
    if rare:
        put("accessed", _date(_plain(values, "urldate")))
    if and_others:
        item["custom"] = {AND_OTHERS: and_others}
    return item


def _csl_type(source: Source) -> str:
    """The CSL type of the entry; a magazine or newspaper article by its entrysubtype."""
    csl_type = TYPES.get(source.entry_type, "document")
    subtype = (_plain(source, "entrysubtype") or "").lower()
    if csl_type == "article-journal" and subtype in ("magazine", "newspaper"):
        csl_type = "article-" + subtype
    return csl_type


def _titles(source: Source, csl_type: str) -> tuple[str | None, str | None, str | None]:
    """The title, the container's title and the chapter (number or title)."""
    title = _rich(source, "title")
    container = _rich(source, "journal") or _rich(source, "journaltitle")
    booktitle = _rich(source, "booktitle")
    chapter = _rich(source, "chapter")
    if csl_type == "chapter" and not booktitle and chapter and not _CHAPTER_NUMBER.match(chapter):
        # Classic BibTeX @inbook: title is the book, chapter the chapter's title.
        title, booktitle, chapter = chapter, title, None
    if csl_type in ("chapter", "paper-conference", "entry-encyclopedia"):
        return title, booktitle or container, chapter
    return title, container or booktitle, chapter


def _numbers(source: Source, csl_type: str, in_series: bool) -> list[tuple[str, str | None]]:
    """BibTeX's number and issue as CSL variables: an article's issue, a book's
    number in its series (collection-number) or of its own."""
    number = _plain(source, "number")
    issue = _plain(source, "issue")
    if csl_type in ("article-journal", "article-magazine", "article-newspaper", "periodical",
                    "article"):
        return [("issue", number or issue)]
    if csl_type in ("book", "chapter", "paper-conference") and number:
        return [("collection-number" if in_series else "number", number), ("issue", issue)]
    return [("number", number), ("issue", issue)]


def _publisher_and_url(source: Source) -> tuple[str | None, str | None]:
    """The publisher (or school, institution, organization, howpublished) and the
    URL (or a \\url{...} given as howpublished)."""
    publisher = _rich(source, "publisher")
    for fallback in ("school", "institution", "organization"):
        if not publisher:
            publisher = _rich(source, fallback)
    howpublished = source.raw("howpublished")
    url = _plain(source, "url")
    if howpublished:
        match = _URL_MACRO.match(howpublished)
        if match:
            url = url or match["url"].strip()
        elif not publisher:
            publisher = _rich(source, "howpublished")
    return publisher, url


def _doi(source: Source) -> str | None:
    """The DOI, normalised; as written when it is not a valid DOI."""
    raw_doi = source.raw("doi")
    if not raw_doi:
        return None
    try:
        return normalise_doi(expand_macros(raw_doi, source.strings))
    except InvalidDOI:
        return _plain(source, "doi")


def _arxiv_url(source: Source) -> str | None:
    """The arXiv abstract page of an arXiv eprint."""
    eprint = _plain(source, "eprint")
    archive = (_plain(source, "eprinttype") or _plain(source, "archiveprefix") or "").lower()
    if eprint and archive == "arxiv":
        return f"https://arxiv.org/abs/{eprint}"
    return None


def _csl_name(person: PersonName) -> dict:
    if person.literal is not None:
        return {"literal": person.literal}
    name = {}
    if person.family:
        name["family"] = person.family
    if person.given:
        name["given"] = person.given
    if person.particle:
        name["non-dropping-particle"] = person.particle
    if person.suffix:
        name["suffix"] = person.suffix
    return name or {"literal": ""}


def _plain(source: Source, name: str) -> str | None:
    """A field for output without markup: macros expanded, LaTeX decoded."""
    value = source.raw_values.get(name)  # names here are lower case
    if value is None:
        return None
    return latex_to_text(expand_macros(value, source.strings)) or None


def _rich(source: Source, name: str) -> str | None:
    """A field as CSL rich text (case protection and emphasis kept)."""
    value = source.raw_values.get(name)
    if value is None:
        return None
    return latex_to_csl(expand_macros(value, source.strings)) or None


def _pages(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.replace("{", "").replace("}", "").split())
    return _PAGE_DASH.sub("-", value) or None


def _issued(source: Source) -> tuple[dict | None, str | None]:
    date = _plain(source, "date")
    if date:
        parsed = _date(date)
        if parsed:
            return parsed, None
    year = _plain(source, "year")
    if not year:
        return None, None
    match = _YEAR.fullmatch(year)
    if not match:
        found = _YEAR_IN_TEXT.search(year)
        if not found:
            # "in press", "forthcoming": a publication status, not a date.
            return None, year
        match = found
    parts = [int(match.group(1))]
    month = _month(_plain(source, "month"))
    if month:
        parts.append(month)
        day = _plain(source, "day")
        if day and day.isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}, None


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip().lower().rstrip(".")
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(value) or _MONTHS.get(value[:3])


def _date(value: str | None) -> dict | None:
    """An ISO 8601 date or range (``2020-05-01``, ``2020/2021``) as CSL date parts."""
    if not value:
        return None
    parts = []
    for piece in value.strip().split("/"):
        match = _ISO_DATE.match(piece.strip())
        if not match:
            return {"literal": value.strip()}
        numbers = [int(g) for g in match.groups() if g is not None]
        parts.append(numbers)
    return {"date-parts": parts[:2]}


