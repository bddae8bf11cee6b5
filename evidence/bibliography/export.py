"""Exports of CSL-JSON items: CSL-JSON, RIS, and BibTeX written from CSL.

- CSL-JSON is :func:`evidence.bib.csl.source_to_csl` of each entry (the build
  stores it in ``source_csl``).
- RIS is written from the CSL-JSON (LaTeX decoded, markup dropped); one
  ``TAG  - value`` line each, CRLF line ends as the RIS specification asks.
- :func:`csl_to_bibtex` writes BibTeX for a source known only as data.

Everything here reads CSL-JSON alone, so the publication exports without a
BibTeX or LaTeX parser. BibTeX *as written in references.bib* is
:mod:`evidence.bibliography.bibtex_export`.
"""

from __future__ import annotations

import json
import re

import rispy
import rispy.config

from evidence.bib.csl_types import AND_OTHERS
from evidence.bib.richtext import strip_markup

RIS_TYPES = {
    "article": "JOUR", "article-journal": "JOUR", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "bill": "BILL", "book": "BOOK", "broadcast": "MPCT",
    "chapter": "CHAP", "classic": "CLSWK", "collection": "EDBOOK", "dataset": "DATA",
    "document": "GEN", "entry": "GEN", "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC", "event": "GEN", "figure": "FIGURE", "graphic": "ART",
    "hearing": "HEAR", "interview": "GEN", "legal_case": "CASE", "legislation": "STAT",
    "manuscript": "UNPB", "map": "MAP", "motion_picture": "MPCT", "musical_score": "MUSIC",
    "pamphlet": "PAMP", "paper-conference": "CPAPER", "patent": "PAT", "performance": "GEN",
    "periodical": "JFULL", "personal_communication": "PCOMM", "post": "ELEC",
    "post-weblog": "BLOG", "regulation": "STAT", "report": "RPRT", "review": "JOUR",
    "review-book": "JOUR", "software": "COMP", "song": "SOUND", "speech": "GEN",
    "standard": "STAND", "thesis": "THES", "treaty": "GEN", "webpage": "ELEC",
}
# RIS type -> the CSL type it most often stands for (for readers of our RIS).
CSL_BY_RIS: dict[str, str] = {}
for _csl, _ris in RIS_TYPES.items():
    CSL_BY_RIS.setdefault(_ris, _csl)
CSL_BY_RIS.update({"JOUR": "article-journal", "GEN": "document", "STAT": "legislation",
                   "MPCT": "motion_picture", "ELEC": "webpage"})


# --- BibTeX from CSL (sources known only as data) ----------------------------

BIBTEX_TYPES = {
    "article-journal": "article", "article": "article", "article-magazine": "article",
    "article-newspaper": "article", "book": "book", "chapter": "incollection",
    "paper-conference": "inproceedings", "report": "techreport", "thesis": "phdthesis",
    "manuscript": "unpublished", "pamphlet": "booklet", "webpage": "online",
    "dataset": "dataset", "software": "software", "patent": "patent",
}
_LATEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _bibtex_text(value: str) -> str:
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_ESCAPES.get(m.group(1), "\\" + m.group(1)),
                              strip_markup(value))


def _bibtex_name(name: dict) -> str:
    if "literal" in name:
        return "{" + _bibtex_text(name["literal"]) + "}"
    family = " ".join(p for p in (name.get("non-dropping-particle"),
                                  name.get("dropping-particle"), name.get("family")) if p)
    parts = [_bibtex_text(family)]
    if name.get("suffix"):
        parts.append(_bibtex_text(name["suffix"]))
    if name.get("given"):
        parts.append(_bibtex_text(name["given"]))
    elif name.get("suffix"):
        parts.append("")
    return ", ".join(parts)


def csl_to_bibtex(item: dict) -> str:
    """A BibTeX entry written from a CSL item: for sources known only as data
    (a database row without its BibTeX). LaTeX specials are escaped."""
    kind = item.get("type")
    entry_type = BIBTEX_TYPES.get(kind or "", "misc")
    container = {"article": "journal", "incollection": "booktitle",
                 "inproceedings": "booktitle"}.get(entry_type, "howpublished")
    publisher = {"techreport": "institution", "phdthesis": "school"}.get(entry_type,
                                                                       "publisher")
    fields: list[tuple[str, str]] = []
    and_others = (item.get("custom") or {}).get(AND_OTHERS) or []
    for variable, name in (("author", "author"), ("editor", "editor")):
        if item.get(variable):
            names = [_bibtex_name(n) for n in item[variable]]
            if variable in and_others:
                names.append("others")
            fields.append((name, " and ".join(names)))
    for variable, name in (("title", "title"), ("container-title", container),
                           ("container-title-short", "shortjournal"),
                           ("collection-title", "series")):
        if item.get(variable):
            fields.append((name, _bibtex_text(str(item[variable]))))
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    if parts and parts[0] not in (None, ""):
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", str(parts[1])))
    for variable, name in (("volume", "volume"), ("issue", "number"), ("number", "number"),
                           ("edition", "edition"), ("publisher", publisher),
                           ("publisher-place", "address"), ("genre", "type"),
                           ("ISBN", "isbn"), ("ISSN", "issn"), ("note", "note")):
        if item.get(variable) not in (None, "") and name not in dict(fields):
            fields.append((name, _bibtex_text(str(item[variable]))))
    if item.get("page"):
        fields.append(("pages", str(item["page"]).replace("-", "--")))
    for variable, name in (("DOI", "doi"), ("URL", "url")):
        if item.get(variable):  # verbatim: DOIs and URLs keep their underscores
            fields.append((name, str(item[variable]).replace("{", "").replace("}", "")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    key = re.sub(r"[\s,{}()=\\#%\"']", "", str(item["id"])) or "source"
    return f"@{entry_type}{{{key},\n{body}\n}}" if body else f"@{entry_type}{{{key}}}"


# --- CSL-JSON ---------------------------------------------------------------

def to_csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# --- RIS --------------------------------------------------------------------

def _ris_name(name: dict) -> str | None:
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"),
                                  name.get("dropping-particle"), name.get("family")) if p)
    parts = [family, name.get("given"), name.get("suffix")]
    while parts and not parts[-1]:
        parts.pop()
    return ", ".join(p or "" for p in parts)


_RIS_TEXT_TAGS = {
    "titles": (("title", "TI"), ("container-title", "T2"), ("container-title-short", "J2"),
               ("collection-title", "T3")),
    "numbers": (("volume", "VL"), ("issue", "IS"), ("number", "M1")),
    "others": (("edition", "ET"), ("publisher", "PB"), ("publisher-place", "CY"),
               ("genre", "M3"), ("ISBN", "SN"), ("ISSN", "SN"), ("DOI", "DO"),
               ("URL", "UR"), ("language", "LA"), ("note", "N1")),
}


def _ris_text(item: dict, variable: str) -> str | None:
    value = item.get(variable)
    return strip_markup(str(value)) if value not in (None, "") else None


def _ris_texts(item: dict, group: str) -> list[tuple[str, str]]:
    return [(tag, value) for variable, tag in _RIS_TEXT_TAGS[group]
            if (value := _ris_text(item, variable))]


def _ris_names(item: dict) -> list[tuple[str, str]]:
    return [(tag, value) for variable, tag in (("author", "AU"), ("editor", "ED"),
                                               ("translator", "A4"))
            for name in item.get(variable, []) if (value := _ris_name(name))]


def _ris_date(item: dict) -> list[tuple[str, str]]:
    issued = item.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0]
    if parts and parts[0] not in (None, ""):
        lines = [("PY", str(parts[0]))]
        if len(parts) > 1:
            month = f"{int(parts[1]):02d}"
            day = f"{int(parts[2]):02d}" if len(parts) > 2 else ""
            lines.append(("DA", f"{parts[0]}/{month}/{day}/"))
        return lines
    if issued.get("literal"):
        return [("PY", issued["literal"])]
    return []


def _ris_pages(item: dict) -> list[tuple[str, str]]:
    page = _ris_text(item, "page")
    if not page:
        return []
    first, _, last = page.partition("-")
    lines = [("SP", first.strip())]
    if last.strip():
        lines.append(("EP", last.strip()))
    return lines


def ris_record(item: dict) -> list[tuple[str, str]]:
    """One CSL item as RIS (tag, value) pairs, TY first (ER, the end, is the writer's)."""
    return [
        ("TY", RIS_TYPES.get(item.get("type") or "", "GEN")), ("ID", str(item["id"])),
        *_ris_names(item), *_ris_texts(item, "titles"), *_ris_date(item),
        *_ris_texts(item, "numbers"), *_ris_pages(item), *_ris_texts(item, "others"),
    ]


# rispy's names for the tags written here; ED (editors) and a repeated SN (an
# ISBN and an ISSN) are not in its default mapping.
_RIS_KEYS = {**rispy.config.TAG_KEY_MAPPING, "ED": "editors"}
_RIS_REPEATED = ["AU", "ED", "A4", "SN", "UR", "N1"]


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its record counter line ("1."), which RIS does not define."""

    def set_header(self, count: int) -> str:
        return ""


def _rispy_reference(pairs: list[tuple[str, str]]) -> dict:
    reference: dict = {}
    for tag, value in pairs:
        key = _RIS_KEYS[tag]
        if tag in _RIS_REPEATED:
            reference.setdefault(key, []).append(value)
        else:
            reference[key] = value
    return reference


def to_ris(items: list[dict]) -> str:
    """RIS written by rispy, with the CRLF line ends the RIS specification asks for."""
    text = rispy.dumps([_rispy_reference(ris_record(item)) for item in items],
                       implementation=_RisWriter, mapping=_RIS_KEYS,
                       list_tags=_RIS_REPEATED)
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
