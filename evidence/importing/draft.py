"""``evidence draft``: stubs for the statements of an edited guide that nothing covers.

Every line already in claims.yaml stays as it is, byte for byte: the stubs are
inserted as new lines at the end of the ``claims:`` list (after its last
claim, before any comment that opens the next key), in the file's own
indentation and line endings. Only ``claims: []`` is rewritten, to
``claims:``, since a list written that way cannot grow by adding lines.
Sentences that a claim, a ``not_claims`` entry or a retired claim (its
``quote``) covers get no stub, so running it twice adds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from evidence.atomic import atomic_write_text
from evidence.check.coverage import text_lexicon
from evidence.claims import history
from evidence.claims.loader import parse_claims
from evidence.claims.ondisk import read_for_edit
from evidence.errors import EvidenceError
from evidence.guide.anchor import Anchor, GuideIndex
from evidence.importing.claimsfile import stub_lines
from evidence.importing.ids import prefix_in_use, project_ids
from evidence.importing.report import DraftReport, Note
from evidence.importing.stubs import Stub, make_stubs, printed_sources
from evidence.project import Project, load_project

_TOP_KEY = re.compile(r"^[^\s#]")
_CLAIMS_KEY = re.compile(r"^claims:[ \t]*(?:#.*)?$")
_EMPTY_CLAIMS = re.compile(r"^claims:[ \t]*\[\][ \t]*(?:#.*)?$")
_ITEM = re.compile(r"^([ \t]*)- ")
_ANCHORING = ("quote-not-found", "quote-ambiguous")


def draft_guide(project_root: Path, guide_id: str) -> DraftReport:
    project = load_project(project_root, strict=False)
    data, path, text, stubs, notes = _stubs(project, guide_id)
    report = DraftReport(guide_id, str(path), [s.id for s in stubs],
                         sum(1 for s in stubs if s.named), notes)
    if stubs:
        atomic_write_text(path, _inserted(text, stubs, path))
    return report


def pending_stubs(project: Project, guide_id: str) -> list[Stub]:
    """The stubs ``evidence draft`` would add now (nothing is written)."""
    return _stubs(project, guide_id)[3]


def draft_sentence(project: Project, guide_id: str, quote: str, *, by: str | None = None,
                   expected_sha256: str | None = None) -> Stub:
    """One stub, for the uncovered sentence whose words are ``quote`` (as
    :func:`pending_stubs` gives them), inserted as ``draft`` inserts every one,
    and appended to the guide's history."""
    data, path, _text, stubs, _notes = _stubs(project, guide_id)
    chosen = [s for s in stubs if s.quote == quote]
    if not chosen:
        raise EvidenceError(f"no uncovered sentence {quote[:80]!r} in {guide_id} (a claim or "
                            "non-claim covers it now, or the guide changed); nothing was changed")
    text = read_for_edit(path, expected_sha256) if path.exists() else ""
    new_text = _inserted(text, chosen, path)
    log = history.prepare_append(path, [history.Change(chosen[0].id, "draft", by, history.now(),
                                                       {}, {"quote": quote})])
    atomic_write_text(path, new_text)
    atomic_write_text(*log)
    return chosen[0]


def _stubs(project: Project, guide_id: str):
    data = project.guide(guide_id)
    path = Path(data.claims_file.path)
    mine = [p for p in project.problems
            if p.path is not None and Path(p.path).resolve() == path.resolve()]
    loose = [p for p in mine if p.code in _ANCHORING and p.item != "not_claims"]
    if loose:
        listed = "\n  ".join(str(p) for p in loose)
        raise EvidenceError(f"{len(loose)} claim{'s' if len(loose) != 1 else ''} of {guide_id} "
                            f"no longer anchor{'s' if len(loose) == 1 else ''}; re-anchor "
                            f"them first, or their sentences would be drafted again:\n  {listed}")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    covered = [(a.start, a.end) for a in data.anchors.values()]
    covered += [(a.start, a.end) for _, a in data.not_claim_anchors]
    index = GuideIndex(data.guide)
    for quote in retired_quotes(text):
        found = index.anchor(quote)
        if isinstance(found, Anchor):
            covered.append((found.start, found.end))
    notes: list[Note] = []
    lexicon, _ = text_lexicon(data.language, data.guide.text)
    stubs = make_stubs(data.guide, lexicon, taken=project_ids(project.root), covered=covered,
                       sources=printed_sources(data.guide, project.references), notes=notes,
                       id_prefix=prefix_in_use(c.id for c in data.claims))
    return data, path, text, stubs, notes


def _inserted(text: str, stubs: list[Stub], path: Path) -> str:
    new_text = insert_stubs(text, stubs, path)
    # The stubs must read back as claims and add no problem of their own (a
    # problem the file had before, such as a key this loader does not know, stays).
    before = {p.message for p in parse_claims(text, path)[1]} if text else set()
    broken = [p for p in parse_claims(new_text, path)[1] if p.message not in before]
    if broken:  # never expected: the stubs are written by this module
        raise EvidenceError(f"{path}: the drafted stubs would not read back "
                            f"({broken[0]}); nothing was written")
    return new_text


def retired_quotes(text: str) -> list[str]:
    """The last quotes of retired claims (``retired:`` entries with ``quote``), if any."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    entries = data.get("retired") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [str(e["quote"]) for e in entries if isinstance(e, dict) and e.get("quote")]


def insert_stubs(text: str, stubs: list[Stub], path: Path | str = "claims.yaml") -> str:
    """claims.yaml text with the stubs' lines inserted at the end of its claims list;
    every other line unchanged."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    start = next((i for i, line in enumerate(lines)
                  if _CLAIMS_KEY.match(line.rstrip("\r\n"))
                  or _EMPTY_CLAIMS.match(line.rstrip("\r\n"))), None)
    if start is None:
        if any(line.startswith("claims:") for line in lines):
            raise EvidenceError(f"{path}: its claims list is written inline (claims: [...]); "
                                "draft adds to a list of one claim a block ('- id: ...')")
        lines.append("claims:" + newline)
        start = len(lines) - 1
    elif _EMPTY_CLAIMS.match(lines[start].rstrip("\r\n")):
        lines[start] = "claims:" + newline
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])),
               len(lines))
    # After the block's last line of its own: an indented line, or a claim's text
    # (a comment at the margin before the next key belongs to that key).
    position = start + 1
    for i in range(start + 1, end):
        stripped = lines[i].strip()
        if stripped and (not stripped.startswith("#") or lines[i][0] in " \t"):
            position = i + 1
    items = [m.group(1) for i in range(start + 1, end) if (m := _ITEM.match(lines[i]))]
    indent = items[0] if items else "  "
    added = stub_lines(stubs, indent=indent)
    if position > start + 1:
        added.insert(0, "")
    return "".join(lines[:position] + [line + newline for line in added] + lines[position:])

