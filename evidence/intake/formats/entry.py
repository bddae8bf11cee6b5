"""One entry read from a file, in the project's spelling, whatever its format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evidence.bib.doi import InvalidDOI, doi_or_none, normalise_doi
from evidence.bib.latex import latex_to_text
from evidence.bib.names import PersonName, parse_person_names
from evidence.crossref.resolve import FIELD_ORDER
from evidence.errors import EvidenceError

# The fields references.bib keeps: those the resolver writes, those the
# bibliography reads (evidence.bib.csl) and the editor's studydesign. A reference
# manager's abstract, keywords, file links, notes and time stamps are not sources'
# metadata the project uses, so they are dropped (and said to be).
# Not taken from a file: the resolver's own records (``updates``, ``doialias``,
# ``metadatasource``: set here to say where the entry came from) and the editor's
# ``studydesign`` (a grade is given in this project, never imported: DESIGN §3).
NOT_TAKEN = frozenset({"updates", "doialias", "metadatasource", "studydesign"})
KEPT_FIELDS = (frozenset(FIELD_ORDER) - NOT_TAKEN) | {
    "translator", "shorttitle", "series", "chapter", "edition", "pagetotal", "address",
    "location", "type", "organization", "howpublished", "url", "urldate", "pmid", "pmcid",
    "langid", "language", "date", "day", "eprint", "eprinttype", "archiveprefix",
    "entrysubtype",
}
# Other spellings of a kept field (biblatex's, or a reference manager's).
RENAMED = {"journaltitle": "journal", "issue": "number", "journal-abbreviation": "shortjournal",
           "journalabbreviation": "shortjournal", "shortjournaltitle": "shortjournal"}
# A citekey a user can cite as it is (what BibTeX, Pandoc and LaTeX accept alike).
CITEKEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.+-]*$")


class FileProblems(EvidenceError):
    """A file that cannot be read as a whole: every problem, each naming its place."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {path}:{p}" for p in problems)
        super().__init__(f"{path} cannot be read ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}); references.bib was not "
                         f"changed:\n{lines}")


@dataclass
class IncomingEntry:
    """An entry to merge: raw BibTeX values under the project's field names."""

    entry_type: str  # BibTeX type, lower case
    key: str | None  # the citekey the file gives it; None when it gives none a user cites
    fields: dict[str, str]  # field name (lower case) -> raw BibTeX value
    where: str  # for messages: "line 12", "item 3", "citation 2 (line 14)"
    dropped: list[str] = field(default_factory=list)  # names of fields not kept
    line: int = 1  # where the entry begins in its file

    def raw(self, name: str) -> str | None:
        return self.fields.get(name)

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return latex_to_text(value) if value is not None else None

    @property
    def doi(self) -> str | None:
        return doi_or_none(self.fields.get("doi"))

    @property
    def authors(self) -> list[PersonName]:
        value = self.fields.get("author")
        return [p for p in parse_person_names(value) if not p.others] if value else []

    @property
    def year(self) -> str | None:
        match = re.search(r"\d{4}", self.text("year") or self.text("date") or "")
        return match.group() if match else None

    def ordered_fields(self) -> list[tuple[str, str]]:
        """The fields in the order the resolver writes them, others after."""
        known = [(k, self.fields[k]) for k in FIELD_ORDER if k in self.fields]
        return known + [(k, v) for k, v in self.fields.items() if k not in FIELD_ORDER]


def keep_fields(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The fields the project keeps, named its way (lower case; ``Author`` is
    ``author``, ``journaltitle`` is ``journal``), and the names of those dropped.
    The first of two spellings of one field wins."""
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in pairs:
        lowered = name.strip().lower()
        lowered = RENAMED.get(lowered, lowered)
        if lowered not in KEPT_FIELDS:
            if lowered not in dropped:
                dropped.append(lowered)
        elif value.strip() and lowered not in kept:
            kept[lowered] = value.strip()
    if "year" not in kept and "date" in kept:
        match = re.match(r"\s*(\d{4})", kept["date"])
        if match:
            kept["year"] = match.group(1)  # what the check, the keys and the pages read
    return kept, dropped


def check_doi(entry: IncomingEntry) -> str | None:
    """Write the entry's DOI in its normal form; why it cannot be, if it is no DOI
    (references.bib would then not load)."""
    raw = entry.fields.get("doi")
    if raw is None:
        return None
    try:
        entry.fields["doi"] = normalise_doi(raw)
    except InvalidDOI as exc:
        return f"{entry.line}: {entry.where}: {exc}"
    return None


def own_citekey(value: str | None) -> str | None:
    """The file's citekey when a user can cite it as it is (Zotero's CSL-JSON ids
    such as ``7113478/2XYZ9Q`` or item URLs are not citekeys)."""
    value = (value or "").strip()
    return value if CITEKEY.match(value) else None
