"""Which incoming entries are new, which references.bib holds already, and the
citekeys of the new ones.

An entry is already present when its DOI is one of references.bib's, in any
spelling or as a recorded alias (the one :class:`~evidence.bib.doi.DoiIndex`).
When it or the entry it meets has no DOI, it is present when the first author's
family name, the year and the title are the same, case, accents and
punctuation aside. Two entries with different DOIs are different works, however
alike. A new entry keeps the citekey its file gives it when no entry has it
(users cite it by that key), else it gets the project's; keys the file gives
are reserved first, so a made key never takes one a later entry brings.
Entries of one file meet each other as they meet references.bib: a second copy
is reported, not added.

Nothing here writes: :meth:`MergePlan.apply` adds the new entries to the
loaded references.bib, whose writer keeps every other byte of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bibtexparser.model import Entry, Field

from evidence.bib.citekeys import ascii_fold
from evidence.bib.doi import DoiIndex
from evidence.bib.fieldhashes import FIELD as FIELDHASHES
from evidence.bib.fieldhashes import hashes_of
from evidence.bib.latex import latex_to_text
from evidence.bib.references import References, Source
from evidence.crossref.ownership import BIBLIOGRAPHIC_FIELDS
from evidence.intake.formats.entry import IncomingEntry
from evidence.intake.keys import project_citekey

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass
class Decision:
    """What becomes of one incoming entry."""

    entry: IncomingEntry
    status: str  # added | present (same DOI) | matched (same author, year and title)
    key: str | None = None  # the new entry's key, or the key of the entry it meets
    own_key_taken: bool = False  # the file's citekey was taken, so the project's was given
    detail: str = ""


@dataclass
class MergePlan:
    decisions: list[Decision] = field(default_factory=list)
    metadatasource: str | None = None  # written on new entries that carry none

    @property
    def added(self) -> list[Decision]:
        return [d for d in self.decisions if d.status == "added"]

    def apply(self, refs: References) -> None:
        """Add the new entries to ``refs`` (in memory; ``refs.write()`` writes them)."""
        for decision in self.added:
            assert decision.key is not None
            values = dict(decision.entry.ordered_fields())
            if self.metadatasource and "metadatasource" not in values:
                values["metadatasource"] = self.metadatasource
            # What evidence wrote is hashed, so a later resolve may upgrade it from
            # Crossref; whatever an editor changes afterwards is theirs.
            written = {k: v for k, v in values.items() if k in BIBLIOGRAPHIC_FIELDS}
            record = hashes_of(written, decision.entry.entry_type).format()
            if record:
                values[FIELDHASHES] = record
            refs.add(Entry(decision.entry.entry_type, decision.key,
                           [Field(k, v) for k, v in values.items()]))


def _fold(text: str | None) -> str:
    return " ".join(_NOT_ALNUM.sub(" ", ascii_fold(text or "").casefold()).split())


def identity(family: str | None, year: str | None, title: str | None) -> tuple[str, str, str] | None:
    """What two records of one work without a DOI share: first author's family
    name, year and title, folded; None without a title (nothing to compare)."""
    folded = _fold(title)
    if not folded:
        return None
    return _fold(family), year or "", folded


def _source_identity(source: Source) -> tuple[str, str, str] | None:
    names = [n for n in source.names("author") if not n.others]
    first = names[0] if names else None
    family = (first.literal or first.full_family) if first else None
    year = str(source.year) if source.year else None
    return identity(family, year, source.text("title"))


def _entry_identity(entry: IncomingEntry) -> tuple[str, str, str] | None:
    first = entry.authors[0] if entry.authors else None
    family = (first.literal or first.full_family) if first else None
    title = entry.raw("title")
    return identity(family, entry.year, latex_to_text(title) if title else None)


def plan_merge(refs: References, entries: list[IncomingEntry], *,
               metadatasource: str | None = None, keep_own_keys: bool = True) -> MergePlan:
    """Decide every entry; linear in the entries and references.bib (two indexes)."""
    dois = DoiIndex.of(refs.sources)  # a copy: entries of this batch are noted in it
    by_identity: dict[tuple[str, str, str], tuple[str, bool]] = {}  # -> key, has a DOI
    for source in refs.sources:
        ident = _source_identity(source)
        if ident is not None:
            by_identity.setdefault(ident, (source.key, source.doi is not None))
    plan = MergePlan(metadatasource=metadatasource)
    for entry in entries:
        decision = _decide(entry, dois, by_identity)
        plan.decisions.append(decision)
        if decision.status == "added":
            # Placeholder key until keys are given: later copies still meet this one.
            marker = f"\0{len(plan.decisions)}"
            if entry.doi:
                dois.note(entry.doi, marker)
            ident = _entry_identity(entry)
            if ident is not None:
                by_identity.setdefault(ident, (marker, entry.doi is not None))
    _give_keys(plan, refs, keep_own_keys)
    return plan


def _decide(entry: IncomingEntry, dois: DoiIndex,
            by_identity: dict[tuple[str, str, str], tuple[str, bool]]) -> Decision:
    doi = entry.doi
    present = dois.key(doi)
    if present is not None:
        alias = ", recorded as an alias" if dois.is_alias(doi or "") else ""
        return Decision(entry, "present", present, detail=f"DOI {doi}{alias}")
    ident = _entry_identity(entry)
    met = by_identity.get(ident) if ident is not None else None
    if met is not None:
        key, has_doi = met
        if not (doi and has_doi):  # two DOIs that differ are two works
            hint = f"; if it is the same work, add doi = {{{doi}}} to it" if doi else ""
            return Decision(entry, "matched", key,
                            detail=f"same first author, year and title{hint}")
    return Decision(entry, "added")


def _give_keys(plan: MergePlan, refs: References, keep_own_keys: bool) -> None:
    taken = {s.key.lower() for s in refs.sources}
    markers: dict[str, str] = {}
    waiting: list[tuple[int, Decision]] = []
    for number, decision in enumerate(plan.decisions, start=1):
        if decision.status != "added":
            continue
        own = decision.entry.key if keep_own_keys else None
        if own and own.lower() not in taken:
            decision.key = own
            taken.add(own.lower())
        else:
            decision.own_key_taken = own is not None
            waiting.append((number, decision))
        markers[f"\0{number}"] = decision.key or ""
    for number, decision in waiting:
        decision.key = project_citekey(decision.entry, taken)
        taken.add(decision.key.lower())
        markers[f"\0{number}"] = decision.key
    for decision in plan.decisions:  # a copy met an entry of this batch: name its key
        if decision.key in markers:
            decision.key = markers[decision.key]
            decision.detail += "; added just now from the same file"
