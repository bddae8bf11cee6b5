"""Exports of selected sources: BibTeX as written, CSL-JSON and RIS.

- BibTeX is copied from references.bib as the editor wrote it (LaTeX,
  comments inside the entry, field order), preceded by the ``@string``
  definitions the entries use, so the file parses on its own. An entry
  changed in memory and not yet written is rendered afresh.
- CSL-JSON is :func:`evidence.bib.csl.source_to_csl` of each entry.
- RIS is written from the CSL-JSON (LaTeX decoded, markup dropped); one
  ``TAG  - value`` line each, CRLF line ends as the RIS specification asks.
"""

from __future__ import annotations

import json
import re

from evidence.bib.csl import strip_markup
from evidence.bib.references import References, Source, _fingerprint, render_entry

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
CSL_BY_RIS = {}
for _csl, _ris in RIS_TYPES.items():
    CSL_BY_RIS.setdefault(_ris, _csl)
CSL_BY_RIS.update({"JOUR": "article-journal", "GEN": "document", "STAT": "legislation",
                   "MPCT": "motion_picture", "ELEC": "webpage"})


# --- BibTeX -----------------------------------------------------------------

def entry_bibtex(source: Source, references: References | None = None) -> str:
    """One entry's BibTeX, as written in references.bib when unchanged."""
    entry = source.entry
    raw = entry.raw
    unchanged = references is None or references._snapshot.get(id(entry)) == _fingerprint(entry)
    if raw and unchanged:
        return raw.strip()
    return render_entry(entry)


def to_bibtex(sources: list[Source], references: References) -> str:
    """The entries as written, with the ``@string`` macros they use first."""
    used = _strings_used(sources, references)
    blocks = []
    for string in references.library.strings:
        if string.key.lower() in used:
            blocks.append((string.raw or f"@string{{{string.key} = {{{string.value}}}}}").strip())
    blocks += [entry_bibtex(s, references) for s in sources]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


_TOKEN = re.compile(r"[A-Za-z][\w:.+/'-]*")


def _strings_used(sources: list[Source], references: References) -> set[str]:
    known = references.strings
    if not known:
        return set()
    used: set[str] = set()
    pending = []
    for source in sources:
        for f in source.entry.fields:
            pending.append(str(f.value))
    while pending:
        value = pending.pop()
        for piece in value.split("#"):
            piece = piece.strip()
            if piece.startswith(("{", '"')):
                continue
            if _TOKEN.fullmatch(piece) and piece.lower() in known and piece.lower() not in used:
                used.add(piece.lower())
                pending.append(known[piece.lower()])  # a macro may use another
    return used


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
        return name["literal"] if name["literal"] == "others" else \
            "{" + _bibtex_text(name["literal"]) + "}"
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
    entry_type = BIBTEX_TYPES.get(kind, "misc")
    container = {"article": "journal", "incollection": "booktitle",
                 "inproceedings": "booktitle"}.get(entry_type, "howpublished")
    publisher = {"techreport": "institution", "phdthesis": "school"}.get(entry_type,
                                                                       "publisher")
    fields: list[tuple[str, str]] = []
    for variable, name in (("author", "author"), ("editor", "editor")):
        if item.get(variable):
            fields.append((name, " and ".join(_bibtex_name(n) for n in item[variable])))
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
        return None if name["literal"] == "others" else name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"),
                                  name.get("dropping-particle"), name.get("family")) if p)
    parts = [family, name.get("given"), name.get("suffix")]
    while parts and not parts[-1]:
        parts.pop()
    return ", ".join(p or "" for p in parts)


def ris_record(item: dict) -> list[tuple[str, str]]:
    """One CSL item as RIS (tag, value) pairs, TY first and ER last."""
    def text(variable):
        value = item.get(variable)
        return strip_markup(str(value)) if value not in (None, "") else None

    lines: list[tuple[str, str]] = [("TY", RIS_TYPES.get(item.get("type"), "GEN")),
                                    ("ID", str(item["id"]))]
    for variable, tag in (("author", "AU"), ("editor", "ED"), ("translator", "A4")):
        for name in item.get(variable, []):
            value = _ris_name(name)
            if value:
                lines.append((tag, value))
    for variable, tag in (("title", "TI"), ("container-title", "T2"),
                          ("container-title-short", "J2"), ("collection-title", "T3")):
        value = text(variable)
        if value:
            lines.append((tag, value))
    issued = item.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0]
    if parts and parts[0] not in (None, ""):
        lines.append(("PY", str(parts[0])))
        if len(parts) > 1:
            month = f"{int(parts[1]):02d}"
            day = f"{int(parts[2]):02d}" if len(parts) > 2 else ""
            lines.append(("DA", f"{parts[0]}/{month}/{day}/"))
    elif issued.get("literal"):
        lines.append(("PY", issued["literal"]))
    for variable, tag in (("volume", "VL"), ("issue", "IS"), ("number", "M1")):
        value = text(variable)
        if value:
            lines.append((tag, value))
    page = text("page")
    if page:
        first, _, last = page.partition("-")
        lines.append(("SP", first.strip()))
        if last.strip():
            lines.append(("EP", last.strip()))
    for variable, tag in (("edition", "ET"), ("publisher", "PB"), ("publisher-place", "CY"),
                          ("genre", "M3"), ("ISBN", "SN"), ("ISSN", "SN"), ("DOI", "DO"),
                          ("URL", "UR"), ("language", "LA"), ("note", "N1")):
        value = text(variable)
        if value:
            lines.append((tag, value))
    lines.append(("ER", ""))
    return lines


def to_ris(items: list[dict]) -> str:
    records = []
    for item in items:
        records.append("".join(f"{tag}  - {value}\r\n" for tag, value in ris_record(item)))
    return "\r\n".join(records)
