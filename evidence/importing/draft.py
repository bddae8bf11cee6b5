"""``evidence draft``: stubs for the statements of an edited guide that nothing covers.

Every line already in claims.yaml stays as it is, byte for byte: the stubs are
inserted as new lines, each in its guide-order place (after the claim anchored
last before it; see :func:`insert_stubs`), else at the end of the ``claims:``
list (after its last claim, before any comment that opens the next key), in
the file's own indentation and line endings. Only ``claims: []`` is rewritten, to
``claims:``, since a list written that way cannot grow by adding lines.
Sentences that a claim, a ``not_claims`` entry or a retired claim (its
``quote``) covers get no stub, so running it twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
        atomic_write_text(path, _inserted(text, stubs, path, data.anchors))
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
    new_text = _inserted(text, chosen, path, data.anchors)
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


def _inserted(text: str, stubs: list[Stub], path: Path,
              anchors: Mapping[str, Anchor] | None = None) -> str:
    new_text = insert_stubs(text, stubs, path, anchors)
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


def insert_stubs(text: str, stubs: list[Stub], path: Path | str = "claims.yaml",
                 anchors: Mapping[str, Anchor] | None = None) -> str:
    """claims.yaml text with the stubs' lines inserted; every other line unchanged.

    With ``anchors`` (where the file's claims anchor in guide.md, by id) each stub
    takes its place in guide order, as claims.yaml keeps its claims: after the
    claim anchored last before it, or, when its section's first claims follow
    it, before them (after the section's ``# --- … ---`` comment); a stub of a
    section that has no claim yet opens it with such a comment. Without
    anchors, or when no claim of the file anchors, at the end of the claims list."""
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
    placed = (_in_guide_order(text, lines, start, end, position, stubs, anchors, path, indent)
              if anchors else None)
    if placed is not None:
        return "".join(placed)
    added = stub_lines(stubs, indent=indent)
    if position > start + 1:
        added.insert(0, "")
    return "".join(lines[:position] + [line + newline for line in added] + lines[position:])


_SECTION_COMMENT = re.compile(r"^[ \t]*# --- .* ---[ \t]*$")


def _in_guide_order(text: str, lines: list[str], start: int, end: int, last_position: int,
                    stubs: list[Stub], anchors: Mapping[str, Anchor], path: Path | str,
                    indent: str) -> list[str] | None:
    """The file's lines with each stub inserted in its guide-order place; None when
    the places cannot be told (no claim of the file anchors, a stub without offset)."""
    if any(stub.start < 0 for stub in stubs):
        return None
    items = _claim_items(text, lines, start, end, path)
    known = [(anchors[cid].start, k, anchors[cid].section.id)
             for k, (_, cid) in enumerate(items) if cid in anchors]
    if not known:
        return None
    groups: dict[tuple[int, str | None, bool], list[Stub]] = {}
    key: tuple[int, str | None, bool]
    for stub in stubs:
        before = [entry for entry in known if entry[0] < stub.start]
        after = [entry for entry in known if entry[0] > stub.start]
        prev = max(before) if before else None
        nxt = min(after) if after else None
        if nxt is not None and nxt[2] == stub.section_id and (prev is None
                                                               or prev[2] != stub.section_id):
            key = (_leading(lines, items, nxt[1], start)[1], stub.section_id, False)
        elif prev is not None:
            key = (last_position if prev[1] == len(items) - 1
                   else _own_end(lines, items, prev[1]), prev[2], False)
        else:  # before every claim, in a section that has none yet
            assert nxt is not None
            key = (_leading(lines, items, nxt[1], start)[0], None, True)
        groups.setdefault(key, []).append(stub)
    newline = "\r\n" if "\r\n" in text else "\n"
    out = list(lines)
    for (at, section, opens), group in sorted(groups.items(), key=lambda g: g[0][0],
                                              reverse=True):
        added = _group_lines(group, section, opens, indent)
        out[at:at] = [line + newline for line in added]
    return out


def _claim_items(text: str, lines: list[str], start: int, end: int,
                 path: Path | str) -> list[tuple[int, str]]:
    """(index of the line of its ``- ``, id) of every claim of the list, in file order."""
    parsed = parse_claims(text, path)[0] if text else None
    items: list[tuple[int, str]] = []
    for claim in parsed.claims if parsed is not None else []:
        line = (claim.line or 0) - 1
        while line > start and not _ITEM.match(lines[line]):
            line -= 1  # "-" alone on its line, the mapping below it
        if start < line < end:
            items.append((line, claim.id))
    return sorted(items)


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _own_end(lines: list[str], items: list[tuple[int, str]], k: int) -> int:
    """After the last line of claim k's own (not the last claim): not its trailing
    blank lines, nor the comments at the list's indentation that open the next claim."""
    first = items[k][0]
    last = first
    for i in range(first + 1, items[k + 1][0]):
        stripped = lines[i].strip()
        if stripped and not (stripped.startswith("#") and _depth(lines[i]) <= _depth(lines[first])):
            last = i
    return last + 1


def _leading(lines: list[str], items: list[tuple[int, str]], k: int,
             start: int) -> tuple[int, int]:
    """Where claim k's leading comments begin, and where they end their section's
    ``# --- … ---`` comment (without one: where they begin)."""
    first = items[k][0]
    floor = items[k - 1][0] if k else start
    run = first
    while run - 1 > floor and (not lines[run - 1].strip()
                               or lines[run - 1].lstrip().startswith("#")):
        run -= 1
    while run < first and not lines[run].strip():
        run += 1  # blank lines before the comments belong to what precedes them
    heading = max((i + 1 for i in range(run, first)
                   if _SECTION_COMMENT.match(lines[i].rstrip("\r\n"))), default=run)
    return run, heading


def _group_lines(group: list[Stub], section: str | None, opens: bool,
                 indent: str) -> list[str]:
    """The lines of stubs inserted in one place, in a section (by id) or before
    every claim (``opens``); a stub of another section opens it with its comment."""
    added: list[str] = []
    for stub in group:
        if stub.section_id != section:
            if added or not opens:
                added.append("")
            added.append(f"{indent}# --- {stub.section or 'Lead'} ---")
            section = stub.section_id
        added += stub_lines([stub], indent=indent, sections=False)
    if opens:
        added.append("")
    return added
