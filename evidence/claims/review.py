"""Recording a verdict in claims.yaml, edited in place (round trip).

The verdict (``status``, ``by``, ``on``, ``note``, ``pin``) goes into the
claim's ``review`` mapping, edited with ruamel.yaml's round-trip mode, so the
file keeps its comments, key order, quoting and indentation; only the lines of
the review change. Every edit is read back and compared before it is
returned. The verb that picks the claims and writes the files is
:mod:`evidence.edit.review`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from evidence.claims.loader import parse_claims
from evidence.claims.pins import current_values
from evidence.errors import EvidenceError, InputError

if TYPE_CHECKING:
    from evidence.claims.loader import Claim

STATUSES = ("verified", "disputed", "needs-source")
_REVIEW_ORDER = ("status", "by", "on", "note", "pin")


def round_trip_yaml() -> YAML:
    """ruamel.yaml set to write claims.yaml back the way it is written.

    Mappings indented by 2, list items by 4 with the dash at 2 (``  - id:``),
    quotes kept as the editor wrote them, and no line folding.
    """
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16
    yaml.allow_duplicate_keys = False
    return yaml


def round_trip_load(text: str, path: Path | str):
    """(the file as read, its problems, the round-trip YAML, its data) for an edit; the
    file must read, and its dates be real ones."""
    before, problems = parse_claims(text, path)
    if before is None:
        raise InputError(problems)
    yaml = round_trip_yaml()
    try:
        data = yaml.load(text)
    except ValueError as exc:  # an impossible date (2026-13-45) somewhere in the file
        raise EvidenceError(f"{path}: a date cannot be read ({exc}); fix the dates "
                            "`evidence check` reports first. Nothing was changed.") from None
    keep_layout(yaml, data)
    return before, problems, yaml, data


def edit_reviews(text: str, path: Path | str, claim_ids: list[str], *, status: str, by: str,
                 on: dt.date, note: str | None,
                 pins: Mapping[str, Mapping[str, Any]] | None = None
                 ) -> tuple[str, dict[str, dict[str, Any]]]:
    """The claims file's new text with the verdict recorded on each claim, and
    the pins recorded (by claim id). ``pins`` are what each verdict verified,
    as :meth:`evidence.project.Project.pin_values` makes them (the sentence
    around the quote, the sources' designs); without them, only what the file
    itself holds is pinned (the quote and the links)."""
    claims_file, problems = parse_claims(text, path)
    if claims_file is None:
        raise InputError(problems)
    by_id = {c.id: c for c in claims_file.claims}
    yaml = round_trip_yaml()
    try:
        data = yaml.load(text)
    except ValueError as exc:  # an impossible date (2026-13-45) somewhere in the file
        raise EvidenceError(f"{path}: a date cannot be read ({exc}); fix the dates "
                            "`evidence check` reports, then review again. Nothing was "
                            "changed.") from None
    keep_layout(yaml, data)
    nodes = {}
    for node in data.get("claims") or []:
        if isinstance(node, CommentedMap) and node.get("id") in claim_ids:
            nodes[str(node["id"])] = node
    missing = [i for i in claim_ids if i not in nodes or i not in by_id]
    if missing:
        raise EvidenceError(f"{path}: cannot find claim {', '.join(missing)} to edit; "
                            "nothing was changed")
    recorded = {claim_id: dict(pins[claim_id]) if pins is not None else
                current_values(by_id[claim_id], None, lambda _key: None).as_mapping()
                for claim_id in claim_ids}
    for claim_id in claim_ids:
        _set_review(nodes[claim_id], status=status, by=by, on=on, note=note,
                    pin=recorded[claim_id])
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    _verify(new_text, path, claim_ids, status, recorded, claims_file, problems)
    return new_text, recorded


def keep_layout(yaml: YAML, data) -> None:
    """Indent as the file does: claims at the margin (``- id:``) or indented
    (``  - id:``), mappings by 2 or 4; otherwise ruamel re-indents every line."""
    mapping, sequence, offset = 2, 4, 2
    guide = data.get("guide") if isinstance(data, CommentedMap) else None
    if isinstance(guide, CommentedMap) and len(guide) and guide.lc.col > 0:
        mapping = guide.lc.col
    claims = data.get("claims") if isinstance(data, CommentedMap) else None
    if (isinstance(claims, CommentedSeq) and len(claims) and isinstance(claims[0], CommentedMap)
            and claims[0].lc.col >= claims.lc.col + 2):
        offset, sequence = claims.lc.col, claims[0].lc.col
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)


def _set_review(node: CommentedMap, *, status: str, by: str, on: dt.date, note: str | None,
                pin: Mapping[str, Any]) -> None:
    moved = detach_trailing_comment(node)
    review = node.get("review")
    if not isinstance(review, CommentedMap):
        review = CommentedMap()
        node["review"] = review
    pin_map = yaml_pin(pin)
    # A date object of its own: one shared by several claims would be written
    # as a YAML anchor and aliases.
    values = {"status": status, "by": by, "on": dt.date(on.year, on.month, on.day),
              "note": DoubleQuotedScalarString(note) if note else None, "pin": pin_map}
    for key in _REVIEW_ORDER:
        value = values[key]
        if value is None:
            if key in review:
                del review[key]
        else:
            review[key] = value
    attach_trailing_comment(node, moved)


def yaml_pin(pin: Mapping[str, Any]) -> CommentedMap:
    """The pin as claims.yaml shows it: texts in double quotes, one line a source."""
    out = CommentedMap()
    for key, value in pin.items():
        if key == "sources":
            sources = CommentedSeq()
            for source in value:
                item = CommentedMap((k, DoubleQuotedScalarString(v) if isinstance(v, str) else v)
                                    for k, v in source.items())
                item.fa.set_flow_style()
                sources.append(item)
            out[key] = sources
        elif isinstance(value, str) and key in ("quote", "sentence"):
            out[key] = DoubleQuotedScalarString(value)
        else:
            out[key] = value
    return out


def _slots(node) -> list[tuple[CommentedMap | CommentedSeq, Any]]:
    """(container, key) from ``node`` down its last entries: where ruamel keeps the
    comment lines that follow a block (the blank line and comment before the next claim)."""
    path: list[tuple[CommentedMap | CommentedSeq, Any]] = []
    while True:
        if isinstance(node, CommentedMap) and len(node):
            key = list(node.keys())[-1]
        elif isinstance(node, CommentedSeq) and len(node):
            key = len(node) - 1
        else:
            return path
        path.append((node, key))
        node = node[key]


def _comment_index(container) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def detach_trailing_comment(node):
    """Take the comment lines after the node's last value (keeping an end-of-line comment)."""
    for container, key in reversed(_slots(node)):
        if isinstance(container[key], (CommentedMap, CommentedSeq)) and len(container[key]):
            # The comment of a key whose value is a block ('review:  # x' and
            # comment lines under it) stands before that block, not after it.
            return None
        entry = container.ca.items.get(key)
        index = _comment_index(container)
        token = entry[index] if entry and len(entry) > index else None
        if token is None:
            continue
        value = token.value
        if value.startswith("#"):  # an end-of-line comment on that value stays there
            eol, _, rest = value.partition("\n")
            if not rest:
                return None
            token.value = eol + "\n"
            return CommentToken("\n" + rest, token.start_mark, None)
        entry[index] = None
        if not any(entry):
            del container.ca.items[key]
        return token
    return None


def attach_trailing_comment(node, token) -> None:
    if token is None:
        return
    slots = _slots(node)
    if not slots:
        return
    container, key = slots[-1]
    index = _comment_index(container)
    entry = container.ca.items.setdefault(key, [None, None, None, None] if index == 2
                                          else [None, None])
    existing = entry[index]
    if existing is None:
        entry[index] = token
    else:  # an end-of-line comment there already: the lines follow it
        existing.value = existing.value + token.value[1:]


def _verify(new_text: str, path, claim_ids, status, pins, before, problems_before) -> None:
    """Refuse to write a file that no longer reads the same, apart from the reviews."""
    after, problems = parse_claims(new_text, path)
    def key(problem):  # line numbers in messages move when lines are added
        return problem.item, re.sub(r"\d+", "#", problem.message)

    known = Counter(key(p) for p in problems_before)
    new_problems = []
    for problem in problems:
        if known[key(problem)] > 0:
            known[key(problem)] -= 1
        else:
            new_problems.append(problem)
    if after is None or new_problems:
        raise EvidenceError(f"internal error: editing {path} would make it invalid "
                            f"({'; '.join(str(p) for p in new_problems)}); nothing was changed")
    old = {c.id: c for c in before.claims}
    new = {c.id: c for c in after.claims}
    if list(old) != list(new):
        raise EvidenceError(f"internal error: editing {path} changed its claims; nothing was "
                            "changed")
    for claim_id, claim in new.items():
        previous = old[claim_id]
        if claim_id in claim_ids:
            if claim.review.status != status or claim.review.pin != pins[claim_id]:
                raise EvidenceError(f"internal error: the review of {claim_id} did not read "
                                    "back; nothing was changed")
            claim.review = previous.review
        if comparable_claim(claim) != comparable_claim(previous):
            raise EvidenceError(f"internal error: editing {path} changed {claim_id}; nothing "
                                "was changed")


def comparable_claim(claim: Claim) -> tuple:
    """What a claim says, its review included, without where it stands in the file."""
    return (claim.id, claim.quote, claim.prefix, claim.suffix, claim.type, claim.consensus,
            claim.note, claim.review,
            [(e.source, e.relation, e.direct, e.locator, e.note) for e in claim.evidence])
