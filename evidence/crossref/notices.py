"""Merging the update notices Crossref lists for a work into those an entry records.

The ``updates`` field is the memory of what was seen (docs/DESIGN.md, the
``updates`` field): a notice Crossref lists and the entry lacks is *new*; a
notice the entry records from Crossref (origin ``publisher``,
``retraction-watch`` or ``crossref``) that Crossref no longer lists is marked
``reversed=DATE``, never dropped, and keeps its effect until an editor
confirms the reversal (``confirmed=DATE``): one missing notice may be a
glitch. A Retraction Watch ``reinstatement`` reverses the withdrawals it
follows in the same way. A reversed notice that Crossref lists again is
*restored*: its marks are cleared. Notices an editor typed (any other origin)
are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from evidence.bib.references import Update
from evidence.crossref.mapping import CROSSREF_ORIGINS

REINSTATEMENT = "reinstatement"


def notice_key(update: Update) -> tuple[str, str | None]:
    """What makes two records the same notice: its type and its DOI (else its date)."""
    return (update.update_type, update.notice_doi or update.updated or update.record_id)


def from_crossref(update: Update) -> bool:
    return (update.origin or "") in CROSSREF_ORIGINS


@dataclass
class NoticeChanges:
    """The field's items after a merge, and what the merge found."""

    updates: list[Update]
    new: list[Update] = field(default_factory=list)
    reversed: list[Update] = field(default_factory=list)  # found gone (or reinstated) now
    restored: list[Update] = field(default_factory=list)  # listed again after a reversal

    @property
    def anything(self) -> bool:
        return bool(self.new or self.reversed or self.restored)


def merge_notices(recorded: list[Update], observed: list[Update], today: str, *,
                  missing_means_reversed: bool = True) -> NoticeChanges:
    """``recorded`` (the entry's items) brought up to date with ``observed`` (what
    Crossref lists now), in the recorded order, new notices at the end.

    ``missing_means_reversed``: whether ``observed`` is a fresh answer, so that a
    recorded notice absent from it was taken back; a record read from the cache
    says nothing about notices published since, so it reverses nothing.
    """
    listed = {notice_key(u): u for u in observed}
    result = NoticeChanges(updates=[])
    seen: set[tuple[str, str | None]] = set()
    for update in recorded:
        key = notice_key(update)
        now = listed.get(key)
        if not from_crossref(update) or key in seen:
            result.updates.append(update)
        elif now is not None:
            kept = replace(now, record_id=now.record_id or update.record_id)
            if update.reversed:
                result.restored.append(kept)
            result.updates.append(kept)
        elif update.reversed or not missing_means_reversed:
            result.updates.append(update)
        else:
            gone = replace(update, reversed=today)
            result.reversed.append(gone)
            result.updates.append(gone)
        seen.add(key)
    for key, update in listed.items():
        if key not in seen:
            result.new.append(update)
            result.updates.append(update)
    _reinstate(result, today)
    return result


def _reinstate(result: NoticeChanges, today: str) -> None:
    """A reinstatement reverses the withdrawals it does not precede."""
    reinstated = [u.updated or today for u in result.updates
                  if u.update_type == REINSTATEMENT and u.in_force]
    if not reinstated:
        return
    when = max(reinstated)
    for index, update in enumerate(result.updates):
        if (update.update_type != REINSTATEMENT and update.withdraws and not update.reversed
                and (update.updated or "") <= when):
            gone = replace(update, reversed=when)
            result.updates[index] = gone
            result.reversed.append(gone)
            if update in result.new:
                result.new[result.new.index(update)] = gone


def confirm_reversals(recorded: list[Update], today: str) -> tuple[list[Update], list[Update]]:
    """Every pending reversal confirmed today: (the new items, those confirmed)."""
    confirmed = []
    items = []
    for update in recorded:
        if update.reversal_pending:
            update = replace(update, confirmed=today)
            confirmed.append(update)
        items.append(update)
    return items, confirmed


def with_article(noun: str) -> str:
    """``a retraction``, ``an expression of concern``: for the reports."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def describe(update: Update) -> str:
    """``retraction 10.1/x of 2026-11-30 (retraction-watch, record 20946)``."""
    parts = [update.label.lower()]
    if update.notice_doi:
        parts.append(update.notice_doi)
    if update.updated:
        parts.append(f"of {update.updated}")
    where = ", ".join(x for x in (update.origin,
                                  f"record {update.record_id}" if update.record_id else None)
                      if x)
    return " ".join(parts) + (f" ({where})" if where else "")
