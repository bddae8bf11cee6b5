"""A guide's history: ``claims/<guide>/history.yaml``, what editors did to its claims.

Every verdict, link, re-anchoring and retirement, whether from the CLI verbs
or the editor's desk, is appended here (who, when, what changed from what),
so an earlier verdict is not lost when a newer one replaces it in
claims.yaml. The file is a YAML list, oldest first::

    - claim: dht-rare
      action: review
      by: "Ada Editor"
      at: 2026-12-02T10:15:00Z
      from: {"status": "unreviewed"}
      to: {"status": "verified", "note": "Checked against the review."}

It is only ever appended to: the new entries are added as lines after the
last one, every existing byte kept (round trip by construction), and the
result is read back before it is written (atomically, by the caller).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evidence.errors import EvidenceError, Problem

HISTORY_FILE = "history.yaml"
ACTIONS = ("review", "link", "consensus", "reanchor", "retire", "draft", "not-claim")
HEADER = ("# What editors did to this guide's claims, oldest first: written by the\n"
          "# `evidence` verbs and the editor's desk, only ever appended to.\n")
_KEYS = ("claim", "action", "by", "at", "from", "to")


@dataclass(frozen=True)
class Change:
    """One action on one claim: ``before`` and ``after`` hold the values that changed."""

    claim: str
    action: str
    by: str | None
    at: str  # ISO 8601, UTC, to the second
    before: Mapping[str, object] = field(default_factory=dict)
    after: Mapping[str, object] = field(default_factory=dict)
    line: int | None = None


def history_path(claims_path: Path) -> Path:
    """The history beside a claims.yaml."""
    return Path(claims_path).with_name(HISTORY_FILE)


def now() -> str:
    """The time recorded with a change (``EVIDENCE_NOW`` overrides it, for tests and
    imports of older records)."""
    fixed = os.environ.get("EVIDENCE_NOW", "").strip()
    if fixed:
        return fixed
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> dt.date:
    """The date of a verdict or a retirement: the editor's local date (what
    they would write by hand, though ``at`` is in UTC and may name another day
    near midnight); with ``EVIDENCE_NOW``, the day it names, so that a test or
    an import of older records dates the verdict as it times the change (one
    that is not an ISO time leaves the local date)."""
    fixed = os.environ.get("EVIDENCE_NOW", "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed[:10])
        except ValueError:
            pass
    return dt.date.today()


def _scalar(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML: a string double-quoted


def entry_text(change: Change) -> str:
    """One entry as lines of YAML (JSON scalars and flow mappings: no quoting rule to get wrong)."""
    lines = [f"- claim: {_scalar(change.claim)}\n",
             f"  action: {change.action}\n"]
    if change.by:
        lines.append(f"  by: {_scalar(change.by)}\n")
    lines.append(f"  at: {_scalar(change.at)}\n")
    lines.append(f"  from: {_scalar(dict(change.before))}\n")
    lines.append(f"  to: {_scalar(dict(change.after))}\n")
    return "".join(lines)


def parse_history(text: str, path: Path | str) -> tuple[list[Change], list[Problem]]:
    """The entries of a history file, or the problems that make it unreadable."""
    def problem(line: int | None, message: str) -> list[Problem]:
        return [Problem(path, line, None, message,
                        "history.yaml is appended to by evidence; restore it from git",
                        code="history-invalid")]

    try:
        data = yaml.load(text, Loader=_LineLoader) if text.strip() else []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], problem(mark.line + 1 if mark else None, f"not valid YAML: {exc}")
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], problem(1, "the history is a list of entries ('- claim: ...')")
    changes = []
    for item in data:
        line = item.pop("__line__", None) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("claim"), str) \
                or item.get("action") not in ACTIONS or not isinstance(item.get("at"), str) \
                or not isinstance(item.get("from", {}), dict) \
                or not isinstance(item.get("to", {}), dict) \
                or not isinstance(item.get("by", ""), str):
            return [], problem(line, "an entry needs claim, action (one of "
                               f"{', '.join(ACTIONS)}), at, and from/to mappings")
        unknown = sorted(set(item) - set(_KEYS))
        if unknown:
            return [], problem(line, f"unknown field {unknown[0]!r} in an entry")
        changes.append(Change(item["claim"], item["action"], item.get("by"), item["at"],
                              item.get("from") or {}, item.get("to") or {}, line))
    return changes, []


class _LineLoader(yaml.SafeLoader):
    """Safe loading (dates stay text: ``at`` is compared as written), each entry
    with its line."""


def _mapping_with_line(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    if node.start_mark.column == 2 or node.start_mark.column == 0:
        mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
# Timestamps stay strings: what was written is what is shown.
_LineLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_history(path: Path) -> tuple[list[Change], list[Problem]]:
    """A guide's history (none when the file is not there)."""
    path = Path(path)
    if not path.exists():
        return [], []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(path, None, None, f"cannot be read: {exc}",
                            code="history-invalid")]
    return parse_history(text, path)


def appended(text: str, path: Path | str, changes: Sequence[Change]) -> str:
    """The history's new text: ``text`` with the entries added after the last one.

    Refused (nothing to write) when the file is unreadable as it is: an entry
    appended to a broken file would hide the break.
    """
    before, problems = parse_history(text, path)
    if problems:
        raise EvidenceError(f"{problems[0]}; nothing was changed")
    if not text.strip():
        text = HEADER
    elif not text.endswith("\n"):
        text += "\n"
    new_text = text + "".join(entry_text(c) for c in changes)
    after, problems = parse_history(new_text, path)
    if problems or [(c.claim, c.action, c.at) for c in after[len(before):]] != \
            [(c.claim, c.action, c.at) for c in changes]:
        raise EvidenceError(f"internal error: the history {path} did not read back; nothing "
                            "was changed")
    return new_text


def read_text(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""


def prepare_append(claims_path: Path, changes: Sequence[Change]) -> tuple[Path, str]:
    """(history file, its new text) for the changes of one claims.yaml: made, and read
    back, before any file is written; the caller writes it after claims.yaml."""
    path = history_path(claims_path)
    return path, appended(read_text(path), path, changes)
