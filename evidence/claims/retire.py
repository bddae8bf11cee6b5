"""Retiring claims in claims.yaml: each moves from ``claims:`` to ``retired:``.

A retired entry keeps the claim's id (never reused), its last quote, the
reason and the day it was retired (``on``, as a review's date: DESIGN §2)::

    retired:
      - id: dht-old-claim
        quote: "The words it last stood for."
        reason: "The sentence was deleted from the guide."
        on: 2026-12-02

The edit is made on the file's lines, where ruamel.yaml gives them (round
trip: the positions come from its reading): the claim's own lines go, the
entry is added at the end of ``retired:`` (made at the end of the file when
missing), and every other line stays byte for byte, comments included (the
comment lines that head the next claim stay with it). The result is read back
and compared before it is returned: the remaining claims read as before, the
retired list gained exactly the entries.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from evidence.claims.loader import Claim, parse_claims
from evidence.claims.review import comparable_claim, round_trip_yaml
from evidence.errors import EvidenceError, InputError

_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def retire_in_text(text: str, path: Path | str, claim_ids: list[str], *, reason: str,
                   date: dt.date) -> str:
    """The claims file's new text with the claims ``claim_ids`` retired."""
    before, problems = parse_claims(text, path)
    if before is None:
        raise InputError(problems)
    by_id = {c.id: c for c in before.claims}
    missing = [i for i in claim_ids if i not in by_id]
    if missing:
        raise EvidenceError(f"{path}: no claim {', '.join(missing)} to retire; nothing was "
                            "changed")
    try:
        data = round_trip_yaml().load(text)
    except ValueError as exc:
        raise EvidenceError(f"{path}: a date cannot be read ({exc}); fix it first. Nothing "
                            "was changed.") from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    claims = data.get("claims")
    if not isinstance(claims, CommentedSeq) or claims.fa.flow_style():
        raise EvidenceError(f"{path}: 'claims' is not a block list; retire by hand")
    spans = _item_spans(data, "claims", lines)
    dash, key = _layout(claims, lines)
    doomed: set[int] = set()
    for index, node in enumerate(claims):
        if isinstance(node, CommentedMap) and str(node.get("id")) in claim_ids:
            first, last = spans[index]
            doomed.update(range(first, last + 1))
    entries = "".join(_entry(by_id[i], reason, date, dash, key) for i in claim_ids)
    insert_at, header = _retired_place(data, lines, path)
    replaces = header is not None and "retired" in data  # 'retired:' with nothing under it
    out: list[str] = []
    for number, line in enumerate(lines):
        if number == insert_at:
            out.append((header or "") + entries)
            if replaces:
                continue
        if number not in doomed:
            out.append(line)
    if insert_at >= len(lines):
        if header and out and out[-1].strip():
            out.append("\n")
        out.append((header or "") + entries)
    new_text = "".join(out)
    _verify(new_text, path, claim_ids, before, problems)
    return new_text


def _item_spans(data: CommentedMap, key: str, lines: list[str]) -> list[tuple[int, int]]:
    """(first, last line) of each item of the list under ``key``: from its dash to its
    last line that is not blank or a comment, before the next item or top-level key."""
    seq = data[key]
    starts = [seq.lc.item(i)[0] for i in range(len(seq))]
    top_keys = list(data.keys())
    after = top_keys.index(key) + 1
    end = data.lc.key(top_keys[after])[0] if after < len(top_keys) else len(lines)
    spans = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else end
        last = start
        for number in range(start, stop):
            stripped = lines[number].strip()
            if stripped and not stripped.startswith("#"):
                last = number
        spans.append((start, last))
    return spans


def _layout(seq: CommentedSeq, lines: list[str]) -> tuple[int, int]:
    """The columns of the list's dashes and of its items' keys."""
    if not len(seq):
        return 2, 4
    line, column = seq.lc.item(0)
    dash = lines[line].find("-")
    return (dash, column) if 0 <= dash < column else (2, 4)


def _retired_place(data: CommentedMap, lines: list[str], path) -> tuple[int, str | None]:
    """Where the new entries go (a line index) and the header to write before them
    (``retired:`` when the file has no such list yet), None when there is one."""
    retired = data.get("retired")
    if "retired" not in data or retired is None or (
            isinstance(retired, CommentedSeq) and not len(retired)):
        if "retired" in data:  # 'retired:' or 'retired: []' with nothing under it
            line = data.lc.key("retired")[0]
            return line, "retired:\n"
        return len(lines), "retired:\n"
    if not isinstance(retired, CommentedSeq) or retired.fa.flow_style():
        raise EvidenceError(f"{path}: 'retired' is not a block list; retire by hand")
    spans = _item_spans(data, "retired", lines)
    return spans[-1][1] + 1, None


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _entry(claim: Claim, reason: str, date: dt.date, dash: int, key: int) -> str:
    pad, inner = " " * dash, " " * key
    claim_id = claim.id if _PLAIN_ID.fullmatch(claim.id) else _scalar(claim.id)
    return (f"{pad}-{' ' * (key - dash - 1)}id: {claim_id}\n"
            f"{inner}quote: {_scalar(claim.quote)}\n"
            f"{inner}reason: {_scalar(reason)}\n"
            f"{inner}on: {date.isoformat()}\n")


def _verify(new_text: str, path, claim_ids: list[str], before, problems_before) -> None:
    after, problems = parse_claims(new_text, path)
    known = Counter((p.item, re.sub(r"\d+", "#", p.message)) for p in problems_before)
    fresh = []
    for problem in problems:
        key = (problem.item, re.sub(r"\d+", "#", problem.message))
        if known[key] > 0:
            known[key] -= 1
        else:
            fresh.append(problem)
    if after is None or fresh:
        raise EvidenceError(f"internal error: retiring in {path} would make it invalid "
                            f"({'; '.join(str(p) for p in fresh)}); nothing was changed")
    kept = [c for c in before.claims if c.id not in claim_ids]
    if [comparable_claim(c) for c in after.claims] != [comparable_claim(c) for c in kept]:
        raise EvidenceError(f"internal error: retiring in {path} changed other claims; "
                            "nothing was changed")
    added = [(r.id, r.quote, r.reason) for r in after.retired[len(before.retired):]]
    wanted = [(c.id, c.quote) for c in before.claims if c.id in claim_ids]
    if [r[:2] for r in added] != sorted(wanted, key=lambda w: claim_ids.index(w[0])) or \
            [(r.id, r.quote) for r in after.retired[:len(before.retired)]] != \
            [(r.id, r.quote) for r in before.retired]:
        raise EvidenceError(f"internal error: the retired entries of {path} did not read "
                            "back; nothing was changed")
