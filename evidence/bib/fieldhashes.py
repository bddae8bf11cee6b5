"""What evidence wrote into an entry: a short hash per field, kept in the entry.

``evidence resolve`` and ``evidence add`` record, in the entry's
``fieldhashes`` field, a hash of each bibliographic value they wrote::

    fieldhashes = {author:3f1c2a9b entrytype:6e0d1f4a journal:1a2b3c4d title:9c8b7a6d}

Items are ``name:hash`` separated by spaces, names lower case in alphabetical
order; ``entrytype`` stands for the entry's type (``@article``). The hash is
the first 8 hex digits of the SHA-256 of the value as written in the file,
runs of whitespace read as one space (re-flowing a long title is no edit).

A field whose value still has its hash was written by evidence and not
changed since: a later resolve may replace it. Any other value (changed by an
editor, or in an entry with no hash for it) is the editor's: resolve keeps it.
The record lives in the entry, so it travels with references.bib through git:
a fresh clone or a second editor sees the same. An item that cannot be read is
ignored, which makes that field the editor's: the safe side.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

FIELD = "fieldhashes"
ENTRY_TYPE = "entrytype"  # the item that stands for the entry's type
_ITEM = re.compile(r"^([a-z][a-z0-9_-]*):([0-9a-f]{8})$")


def value_hash(value: str) -> str:
    """The hash of a raw BibTeX value (whitespace runs as one space)."""
    return hashlib.sha256(" ".join(value.split()).encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class FieldHashes:
    """The hashes of one entry: field name (lower case) -> hash of what was written."""

    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: str | None) -> FieldHashes:
        hashes = {}
        for item in (value or "").split():
            match = _ITEM.match(item.lower())
            if match:
                hashes[match[1]] = match[2]
        return cls(hashes)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.hashes

    def written(self, name: str, value: str | None) -> bool:
        """Whether ``value`` is what evidence wrote into ``name`` (unchanged since)."""
        recorded = self.hashes.get(name.lower())
        return recorded is not None and value is not None and recorded == value_hash(value)

    def format(self) -> str | None:
        """The field's value; None when there is nothing to record."""
        if not self.hashes:
            return None
        return " ".join(f"{name}:{digest}" for name, digest in sorted(self.hashes.items()))


def hashes_of(values: dict[str, str], entry_type: str | None = None) -> FieldHashes:
    """The record for values just written (and the entry type, when given)."""
    hashes = {name.lower(): value_hash(value) for name, value in values.items()}
    if entry_type is not None:
        hashes[ENTRY_TYPE] = value_hash(entry_type.lower())
    return FieldHashes(hashes)
