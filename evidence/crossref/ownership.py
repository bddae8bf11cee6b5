"""Whose a field is: what resolve may write into an entry, and what it keeps.

A bibliographic field is the resolver's while it holds the value evidence
wrote (its hash in ``fieldhashes``, :mod:`evidence.bib.fieldhashes`); then a
resolve may replace or remove it. Any other value is the editor's: an entry
with no hash for a field (typed by hand, or written before hashes were kept),
or a value changed since it was written. The editor's values are kept, and
where Crossref says otherwise that is reported as a :class:`KeptField`;
``--force-field NAME`` takes Crossref's value all the same. A field the entry
lacks is added, unless evidence wrote it before and an editor removed it. The
entry type is decided by the same rule, under the name ``entrytype``.

DOIs, aliases, update notices and ``metadatasource`` are records of the
resolver, not bibliographic values an editor corrects: they are not decided
here (see :func:`evidence.crossref.resolve.plan_update`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from evidence.bib.fieldhashes import ENTRY_TYPE, FieldHashes, value_hash
from evidence.bib.references import Source
from evidence.crossref.mapping import CONTAINER_FIELD, OWNED_FIELDS
from evidence.errors import EvidenceError

RECORDS = ("doi", "doialias", "updates", "metadatasource")
# The fields an editor may correct, whose hashes are kept.
BIBLIOGRAPHIC_FIELDS = tuple(name for name in OWNED_FIELDS if name not in RECORDS)
FORCEABLE = (*BIBLIOGRAPHIC_FIELDS, ENTRY_TYPE)


@dataclass(frozen=True)
class KeptField:
    """A value resolve kept as the editor has it, though Crossref says otherwise."""

    key: str  # the citekey
    field: str  # the field as the entry spells it; ``entrytype`` for the type
    editor: str | None  # the entry's value; None when the editor removed the field
    crossref: str

    def describe(self, limit: int | None = None) -> str:
        """``journal: kept the editor's 'PM R', Crossref says 'PM&R'``; values cut to
        ``limit`` characters."""
        editor = (f"the editor's {_cut(self.editor, limit)!r}" if self.editor is not None
                  else "the editor's removal")
        return f"{self.field}: kept {editor}, Crossref says {_cut(self.crossref, limit)!r}"


def _cut(value: str, limit: int | None) -> str:
    return value if limit is None or len(value) <= limit else value[:limit - 1] + "…"


@dataclass
class Decision:
    """What resolve writes into one entry's bibliographic fields and type."""

    changes: dict[str, str | None] = field(default_factory=dict)  # None: removed
    entry_type: str | None = None  # the new type, when it changes
    kept: list[KeptField] = field(default_factory=list)
    hashes: FieldHashes = field(default_factory=FieldHashes)  # the record afterwards


def force_fields(names: Iterable[str]) -> frozenset[str]:
    """The ``--force-field`` names, checked: each must be a field resolve writes."""
    wanted = frozenset(name.strip().lower() for name in names)
    unknown = sorted(wanted - set(FORCEABLE))
    if unknown:
        raise EvidenceError(
            f"--force-field {', '.join(unknown)}: not a field resolve writes; give one of "
            f"{', '.join(FORCEABLE)}")
    return wanted


def decide(source: Source, entry_type: str, values: dict[str, str], *,
           force: frozenset[str] = frozenset()) -> Decision:
    """Bring the entry's bibliographic fields and type towards Crossref's ``values``
    (raw BibTeX by field name) and ``entry_type``, keeping what is the editor's."""
    recorded = FieldHashes.parse(source.raw("fieldhashes"))
    hashes = dict(recorded.hashes)
    decision = Decision()
    kept_type = _decide_type(source, entry_type, recorded, hashes, decision, force)
    values = _container_for(kept_type, entry_type, values) if kept_type else values
    author_kept = False
    for name in BIBLIOGRAPHIC_FIELDS:
        if name == "orcids" and author_kept:
            continue  # ORCIDs are aligned with the authors: with the editor's, left alone
        wanted = values.get(name)
        current = source.find_field(name)
        have = None if current is None or current.value is None else str(current.value)
        if have == wanted:
            _record(hashes, name, wanted)
        elif name in force or recorded.written(name, have) or (
                have is None and name not in recorded):
            decision.changes[name] = wanted
            _record(hashes, name, wanted)
        else:
            # The editor's (typed, changed or removed): a hash it has stays as it is,
            # no longer matching, so the file is not touched and a removal is
            # remembered.
            if wanted is not None:
                decision.kept.append(KeptField(source.key, current.key if current else name,
                                               have, wanted))
            author_kept = author_kept or name == "author"
    decision.hashes = FieldHashes(hashes)
    return decision


def _decide_type(source: Source, entry_type: str, recorded: FieldHashes,
                 hashes: dict[str, str], decision: Decision, force: frozenset[str]) -> str | None:
    """Set ``decision.entry_type`` when the type changes; the editor's type when kept."""
    have = source.entry_type
    if have == entry_type:
        hashes[ENTRY_TYPE] = value_hash(entry_type)
        return None
    if ENTRY_TYPE in force or recorded.written(ENTRY_TYPE, have):
        decision.entry_type = entry_type
        hashes[ENTRY_TYPE] = value_hash(entry_type)
        return None
    decision.kept.append(KeptField(source.key, ENTRY_TYPE, have, entry_type))
    return have


def _container_for(kept_type: str, entry_type: str, values: dict[str, str]) -> dict[str, str]:
    """Crossref's container title in the field of the type the entry keeps: an
    editor's @article has its proceedings in ``journal``, not ``booktitle``."""
    theirs, ours = CONTAINER_FIELD.get(entry_type), CONTAINER_FIELD.get(kept_type)
    if not theirs or not ours or theirs == ours or theirs not in values:
        return values
    moved = {ours if name == theirs else name: value for name, value in values.items()
             if name != ours}
    return moved


def _record(hashes: dict[str, str], name: str, value: str | None) -> None:
    if value is None:
        hashes.pop(name, None)
    else:
        hashes[name] = value_hash(value)
