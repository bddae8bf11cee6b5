"""Rebuilding after an edit: only the changed guides' rows are written again.

A full build reads every guide; after an editor changes one guide of a
thousand, that is a thousand times the work needed. When the previous
database is there and references.bib is unchanged, :func:`rebuild` copies the
database to a temporary file (in a thread, while it reads the changed guides:
database/copying.py), deletes the rows of the guides whose
``guide.md`` or ``claims.yaml`` changed (their ``guides.sha256`` and
``guides.claims_sha256`` say which), inserts their new rows, keeps the
full-text index in step, and renames the file into place: as atomic as a full
build, and equal to one table by table (tests/database/test_incremental.py).

The changed guides are read and validated by the very functions the full
build uses (:func:`evidence.project.read_guide_dir`, :func:`validate_guide`),
and their findings come from the check's own functions.

What a guide's rows depend on beyond the guide itself comes from the
previous database: each source's tier and retraction (for the basis), the
claim ids of the other guides (ids are unique across guides). The findings
of ``evidence check`` are computed over the whole project, some across guides:

- a guide's own findings (its claims, its text, its printed reference list)
  depend on the guide and references.bib: they are computed again for the
  changed guides only;
- a source's findings (retracted, uncited, printed but unlinked, …) depend
  on every guide that links or prints it: they are computed again for each
  source that a changed guide links or prints (before or after the edit),
  with the links of the other guides read from the previous database and the
  citekeys each guide prints from the build state kept beside it.

Whenever that cannot be promised, the full build runs instead: no previous
database or state, another evidence or schema version, references.bib
changed, many guides changed, any problem in the input, or a previous build
that had problems (the full build settles what each takes down:
database/reach.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evidence import SCHEMA_VERSION, __version__
from evidence.atomic import atomic_path, atomic_write_text
from evidence.bib.references import References, Source, load_references, parse_references
from evidence.check.claims import claim_findings
from evidence.check.finding import Finding
from evidence.check.printed import ReferenceIndex, printed_findings
from evidence.check.sources import ClaimLink, source_findings
from evidence.check.text import RepeatMemo, guide_text_findings
from evidence.claims.history import HISTORY_FILE
from evidence.database.copying import TEMP_SUFFIX, CopyAhead, copy_ahead
from evidence.database.result import BuildResult, Counts
from evidence.database.rows import Rows
from evidence.database.sync import sync_guides_claims
from evidence.database.write import connect, insert_rows
from evidence.errors import EvidenceError
from evidence.guide.reference_list import reference_section
from evidence.project import (
    CLAIMS_DIR,
    CLAIMS_FILE,
    GUIDE_FILE,
    REFERENCES_FILE,
    ClaimHomes,
    GuideData,
    InputDigest,
    Project,
    SourceFacts,
    first_unsafe,
    guide_dirs,
    plainly_safe,
    read_guide_dir,
    retired_homes,
    unsafe_input,
    validate_guide,
)

STATE_VERSION = 1
# SQLite's limit on the values of one statement (32,766), with room to spare.
_MAX_VARIABLES = 30000
# Above this share of changed guides a full build is as quick and simpler.
MAX_CHANGED_SHARE = 0.25


def state_path(database: Path) -> Path:
    """The build state beside the database (``evidence.db-build.json``)."""
    return Path(database).with_name(Path(database).name + "-build.json")


def _sha256_bytes(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _file_sha256(path: Path, files: Mapping[Path, str]) -> str | None:
    """The sha256 of a file's bytes: as the build's digest read it, else read now."""
    known = files.get(path)
    return known if known is not None else _sha256_bytes(path)


def _text_sha256(path: Path) -> str | None:
    """The sha256 of guide.md's text with its line ends made "\n" (what
    ``guides.sha256`` records); None when it cannot be read as UTF-8."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _references_sha256(project: Project) -> str | None:
    """The digest of references.bib as this build read it: its text, read with its
    newlines as they are, is the file's bytes again (UTF-8 both ways), so the file
    of 8 MB need not be read a second time; else (no text) the file's own."""
    references = project.references
    path = Path(project.root) / REFERENCES_FILE
    if references.text and references.path == path:
        return hashlib.sha256(references.text.encode("utf-8")).hexdigest()
    return _sha256_bytes(path)


def write_state(database: Path, digest: str, project: Project,
                repeats: RepeatMemo | None = None) -> None:
    """Record what the next rebuild needs and the database does not hold: the
    citekeys each guide prints, and the near-repeat join's results (``repeats``,
    as the build's check found them)."""
    index = ReferenceIndex(project)
    state = {
        "version": STATE_VERSION,
        "evidence": __version__,
        "schema": SCHEMA_VERSION,
        "input_sha256": digest,
        "references_sha256": _references_sha256(project),
        "printed": {g.id: printed_keys(project, g, index) for g in project.guides},
        "repeats": RepeatMemo.state_of(repeats.found if repeats else {}),
    }
    atomic_write_text(state_path(database), json.dumps(state, sort_keys=True))


def update_state(database: Path, state: dict, digest: str, printed: dict[str, list[str]],
                 repeats: RepeatMemo, touched: set[str]) -> None:
    """The state after a rebuild (``state``: as the rebuild read it): the touched
    guides' entries replaced (a removed guide's dropped), the others' kept."""
    path = state_path(database)
    state = dict(state)
    state["input_sha256"] = digest
    state["printed"] = printed
    kept = {g: r for g, r in repeats.previous.items() if g not in touched}
    state["repeats"] = RepeatMemo.state_of({**kept, **repeats.found})
    atomic_write_text(path, json.dumps(state, sort_keys=True))


def printed_keys(project: Project, guide: GuideData, index: ReferenceIndex) -> list[str]:
    """The citekeys of the guide's printed reference list (Kilder), if it has one."""
    if reference_section(guide.guide) is None:
        return []
    return sorted(printed_findings(project, guide, index)[1])


def _read_state(database: Path) -> dict | None:
    try:
        state = json.loads(state_path(database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    if not isinstance(state.get("printed"), dict):
        return None  # written by hand or by a broken build: start again
    return state


@dataclass
class _Previous:
    """What the previous build recorded: its input digest and each guide's
    hashes (guide.md, claims.yaml, history.yaml)."""

    input_sha256: str
    guides: dict[str, tuple[str | None, str | None, str | None]]


def rebuild(root: Path, database: Path, inputs: InputDigest) -> BuildResult | None:
    """Rebuild incrementally; None when only a full build can promise the result.
    ``inputs``: the digest of the inputs as the build took it, with each file's."""
    root, database = Path(root), Path(database)
    state = _read_state(database)
    previous = _usable_previous(root, database, state, inputs.files)
    if state is None or previous is None:
        return None
    directories = {d.name: d for d in guide_dirs(root)}
    touched = _touched_guides(root, directories, previous, inputs.files)
    if touched is None:
        return None
    changed = sorted(t for t in touched if t in directories)
    # From here on a rebuild is likely: the copy it writes into is made meanwhile.
    with copy_ahead(database) as copy:
        read = _read_changed(root, [directories[g] for g in changed], database, touched)
        if read is None:
            return None
        guides, facts = read
        project, records = _changed_project(root, guides, facts)
        findings = _findings(project, records, database, touched, state)
        if findings is None:
            return None
        return _write(project, database, copy, inputs.value, state, touched, findings)


def _changed_project(root: Path, guides: list[GuideData], facts: dict[str, SourceFacts]
                     ) -> tuple[Project, References | None]:
    """The changed guides as a project, with the previous build's facts of the
    sources they link, and references.bib's records when a printed reference
    list needs them (to compare and to number): most rebuilds need no record
    beyond the facts the previous build stored."""
    references_path = root / REFERENCES_FILE
    needs_records = any(_has_printed_list(g) for g in guides)
    records = load_references(references_path, validate=False) if needs_records else None
    project = Project(root, records or References.empty(references_path), guides)
    project.seed_source_facts(facts)  # every citekey the guides link: validated
    return project, records


def _usable_previous(root: Path, database: Path, state: dict | None,
                     files: Mapping[Path, str]) -> _Previous | None:
    """The previous database, when this evidence wrote it from this references.bib."""
    if state is None or state.get("evidence") != __version__ or state.get("schema") != SCHEMA_VERSION:
        return None
    references_path = root / REFERENCES_FILE
    if (unsafe_input(references_path, root)
            or state.get("references_sha256") != _file_sha256(references_path, files)):
        return None
    try:
        previous = _read_previous(database)
    except sqlite3.Error:
        return None
    if previous is None or previous.input_sha256 != state.get("input_sha256"):
        return None
    return previous


def _touched_guides(root: Path, directories: dict[str, Path], previous: _Previous,
                    files: Mapping[Path, str]) -> set[str] | None:
    """The guides changed, added or removed since the previous build, by the
    hashes it stored; None when a full build is needed (an unsafe or unreadable
    file, nothing or too much changed). ``files``: the sha256 of the bytes of
    the files the build's digest read, so that an unchanged file is not read
    again."""
    claims_dir = root / CLAIMS_DIR
    if directories and (claims_dir.is_symlink() or unsafe_input(claims_dir, root, folder=True)):
        return None
    touched = set(previous.guides) - set(directories)  # removed
    for guide_id, directory in directories.items():
        guide_path = directory / GUIDE_FILE
        paths = (directory, guide_path, directory / CLAIMS_FILE)
        if not plainly_safe(paths) and first_unsafe(paths, root):
            return None
        stored = previous.guides.get(guide_id)
        claims_sha256 = _file_sha256(directory / CLAIMS_FILE, files)
        # The digest hashed every history.yaml the build may read; one it
        # refused (a link out, a FIFO) has no hash, as in a full build.
        history_sha256 = files.get(directory / HISTORY_FILE)
        # guide.md's recorded hash is of its text with its line ends made "\n",
        # which is the hash of its bytes when it has no "\r": bytes whose hash
        # is the recorded one are the text recorded; any other guide.md is
        # read and hashed as text.
        text_sha256 = files.get(guide_path)
        if stored is None or text_sha256 != stored[0]:
            text_sha256 = _text_sha256(guide_path)
            if text_sha256 is None:
                return None
        current = (text_sha256, claims_sha256, history_sha256)
        if previous.guides.get(guide_id) != current:
            touched.add(guide_id)
    if not touched or len(touched) > max(1, MAX_CHANGED_SHARE * len(directories)):
        return None
    return touched


def _read_changed(root: Path, directories: list[Path], database: Path, touched: set[str]
                  ) -> tuple[list[GuideData], dict[str, SourceFacts]] | None:
    """The changed guides, read and validated as the full build does, against
    the citekeys and the other guides' claim ids of the previous build (the
    same, since references.bib and the other guides are unchanged), with the
    facts of the sources they link; None on any problem: the full build
    reports them, every one."""
    homes: ClaimHomes = {}
    guides: list[GuideData] = []
    readings = [read_guide_dir(root, directory) for directory in directories]
    linked = sorted({link.source for r in readings if r.data is not None
                     for claim in r.data.claims for link in claim.evidence})
    if len(linked) > _MAX_VARIABLES:
        return None
    facts = _source_facts(database, linked)
    # The changed guides' retired ids; the others' are checked in the database below.
    retired = retired_homes(r.data for r in readings if r.data is not None)
    for reading in readings:
        # A citekey without facts is not in the previous build: unknown.
        if validate_guide(reading, facts.keys(), homes, retired) or reading.data is None:
            return None
        guides.append(reading.data)
    new_ids = [c.id for g in guides for c in g.claims]
    if len(new_ids) + len(touched) > _MAX_VARIABLES:
        return None
    retired_ids = [r.id for g in guides for r in g.claims_file.retired]
    if len(new_ids) + len(retired_ids) + len(touched) > _MAX_VARIABLES:
        return None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        clash = _in_query(conn, "select id from claims where id in ({}) and guide_id not in ({})",
                          new_ids, sorted(touched))
        # A retired id: reused by a changed guide, or retired by one and used elsewhere.
        clash += _in_query(conn, "select id from retired_claims where id in ({}) "
                                 "and guide_id not in ({})", new_ids + retired_ids, sorted(touched))
        clash += _in_query(conn, "select id from claims where id in ({}) and guide_id not in ({})",
                           retired_ids, sorted(touched))
    if clash:
        return None  # a duplicate or retired claim id: the full build names both places
    return guides, facts


def _source_facts(database: Path, keys: list[str]) -> dict[str, SourceFacts]:
    """The previous build's facts of these sources (those it has): only what the
    changed guides link is read, not every source of a large references.bib."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {row[0]: SourceFacts(row[1], bool(row[2]), row[3], row[4]) for row in _in_query(
            conn, "select id, tier, retracted, study_design, doi from sources where id in ({})",
            keys)}


def _write(project: Project, database: Path, copy: CopyAhead, digest: str, state: dict,
           touched: set[str], findings: _Findings) -> BuildResult:
    """The previous database, copied, with the touched guides' rows replaced."""
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    rows = Rows.for_guides(project, project.guides, built_at)
    with atomic_path(database, suffix=TEMP_SUFFIX) as tmp:
        copy.move_to(tmp)
        conn = connect(tmp)
        try:
            conn.execute("BEGIN")
            _replace_rows(conn, sorted(touched), rows, findings.rows, findings.affected)
            conn.execute("update guides set built_at = ?", (built_at,))
            conn.execute("update _evidence_build set input_sha256 = ?, built_at = ?",
                         (digest, built_at))
            _check_foreign_keys(conn, sorted(touched), findings.affected)
            counts = Counts(*conn.execute(
                "select (select count(*) from guides), (select count(*) from claims), "
                "(select count(*) from sources), (select count(*) from findings)").fetchone())
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise EvidenceError(f"could not write the database {database}: "
                                f"({type(exc).__module__}.{type(exc).__name__}) {exc}") from exc
        finally:
            conn.close()
    all_printed = {k: v for k, v in state["printed"].items() if k not in touched}
    all_printed.update(findings.printed)
    update_state(database, state, digest, dict(sorted(all_printed.items())), findings.repeats,
                 touched)
    return BuildResult.written(database, counts, incremental=True)



def _check_foreign_keys(conn, touched: list[str], affected: list[str]) -> None:
    """The rows this rebuild wrote resolve (check_foreign_keys, on what changed:
    a check of whole tables takes more time than the rest of the write)."""
    marks = ", ".join("?" * len(touched)) or "null"
    sources = ", ".join("?" * len(affected)) or "null"
    broken = conn.execute("PRAGMA foreign_key_check([sections])").fetchall()
    broken += conn.execute(
        "select 'claims', c.rowid from claims c "
        f"where c.guide_id in ({marks}) and (c.guide_id not in (select id from guides) "
        "or c.basis not in (select code from bases) "
        "or (c.section_id is not null and c.section_id not in (select id from sections)))",
        tuple(touched)).fetchall()
    broken += conn.execute(
        "select 'findings', f.rowid from findings f "
        f"where (f.guide_id in ({marks}) or f.source_id in ({sources})) "
        "and ((f.guide_id is not null and f.guide_id not in (select id from guides)) "
        "or (f.claim_id is not null and f.claim_id not in (select id from claims)) "
        "or (f.source_id is not null and f.source_id not in (select id from sources)))",
        (*touched, *affected)).fetchall()
    broken += conn.execute(
        "select 'claim_sources', cs.rowid, 'sources' from claim_sources cs "
        "join claims c on c.id = cs.claim_id "
        f"where c.guide_id in ({marks}) and cs.source_id not in (select id from sources)",
        tuple(touched)).fetchall()
    if broken:
        raise EvidenceError(f"internal error: dangling foreign keys {broken[:5]}")


def _read_previous(database: Path) -> _Previous | None:
    if not database.exists():
        return None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        info = conn.execute("select input_sha256, evidence_version, schema_version, errors "
                            "from _evidence_build").fetchone()
        if info is None or info[1] != __version__ or info[2] != SCHEMA_VERSION:
            return None
        if info[3]:
            return None  # built around problems: the full build settles their reach again
        guides = {row[0]: (row[1], row[2], row[3]) for row in conn.execute(
            "select id, sha256, claims_sha256, history_sha256 from guides")}
    return _Previous(info[0], guides)


def _in_query(conn, sql: str, *lists):
    """Run ``sql`` with one ``in (...)`` per list of values."""
    params, marks = [], []
    for values in lists:
        params += list(values)
        marks.append(", ".join("?" * len(values)) or "null")
    return conn.execute(sql.format(*marks), params).fetchall()


@dataclass
class _Findings:
    rows: list[dict]  # the findings rows to write again
    printed: dict[str, list[str]]  # the citekeys each changed guide prints
    affected: list[str]  # the sources whose findings were computed again
    repeats: RepeatMemo  # the near-repeat results, the last build's and the changed guides'


def _findings(project: Project, records: References | None, database: Path,
              touched: set[str], state: dict) -> _Findings | None:
    """The findings to write again; None when they do not fit one statement.

    Mirrors check.run_checks (a test holds the two equal): a guide's own
    findings for each changed guide; a source's findings for every source a
    changed guide links or prints, before or after the edit.
    """

    index = ReferenceIndex(project)
    findings: list[Finding] = []
    printed: dict[str, list[str]] = {}
    repeats = RepeatMemo.from_state(state.get("repeats"))
    for guide in project.guides:
        findings += claim_findings(project, guide)
        findings += guide_text_findings(project, guide, repeats)
        found, keys = printed_findings(project, guide, index)
        findings += found
        printed[guide.id] = sorted(keys)
    sources = _source_findings(project, records, printed, database, touched, state)
    if sources is None:
        return None
    found, affected = sources
    findings += found
    return _Findings([f.as_row() for f in dict.fromkeys(findings)], printed, affected, repeats)


def _source_findings(project: Project, records: References | None,
                     printed: dict[str, list[str]], database: Path, touched: set[str],
                     state: dict) -> tuple[list[Finding], list[str]] | None:
    """The findings of every source whose links or printing guides a touched guide
    changed, with the other guides' links read from the previous database.

    A source's findings depend only on its entry (references.bib is unchanged
    here: an edit of it takes the full build), the claims linking it, in order,
    and the guides printing it (check.sources.source_findings); a source whose
    list of linking claims and printing guides the edit left as it was keeps
    its findings, so a guide that links a thousand sources and gains one link
    recomputes one source's findings, not a thousand."""
    new_links = {guide.id: _links_by_key(guide) for guide in project.guides}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        old_links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for guide_id, claim_id, key in _in_query(
                conn, "select c.guide_id, c.id, cs.source_id from claim_sources cs "
                      "join claims c on c.id = cs.claim_id where c.guide_id in ({}) "
                      "order by c.guide_id, c.claims_line, c.id, cs.position", sorted(touched)):
            claims = old_links[guide_id][key]
            if not claims or claims[-1] != claim_id:
                claims.append(claim_id)
        changed: set[str] = set()
        for guide_id in touched:
            before, after = old_links.get(guide_id, {}), new_links.get(guide_id, {})
            changed.update(k for k in before.keys() | after.keys()
                           if before.get(k) != after.get(k))
            changed.update(set(state["printed"].get(guide_id, []))
                           ^ set(printed.get(guide_id, [])))
        affected = sorted(changed)
        if len(affected) + len(touched) > _MAX_VARIABLES:
            return None
        # The other guides' links to those sources, in the order the check meets them.
        linked_rows = _in_query(
            conn, "select c.guide_id, c.id, cs.source_id from claim_sources cs "
                  "join claims c on c.id = cs.claim_id "
                  "where cs.source_id in ({}) and c.guide_id not in ({}) "
                  "order by c.guide_id, c.claims_line, c.id, cs.position",
            affected, sorted(touched))
        stored = _in_query(conn, "select id, line, bibtex from sources where id in ({})",
                           affected)
    per_guide: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for guide_id, claim_id, key in linked_rows:
        claims = per_guide[guide_id][key]
        if not claims or claims[-1] != claim_id:
            claims.append(claim_id)
    per_guide.update(new_links)
    linked: dict[str, list[ClaimLink]] = defaultdict(list)
    for guide_id in sorted(per_guide):
        for key, claim_ids in per_guide[guide_id].items():
            linked[key] += [ClaimLink(guide_id, c) for c in claim_ids]
    printed_in: dict[str, set[str]] = defaultdict(set)
    for guide_id, keys in {**state["printed"], **printed}.items():
        if guide_id in touched and guide_id not in printed:
            continue  # a removed guide
        for key in keys:
            printed_in[key].add(guide_id)
    sources = _sources_of(records, stored)
    return source_findings(project, linked, printed_in, sources), affected


def _links_by_key(guide: GuideData) -> dict[str, list[str]]:
    """The ids of the guide's claims linking each source, in order."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for claim in guide.claims:
        for key in dict.fromkeys(link.source for link in claim.evidence):
            by_key[key].append(claim.id)
    return by_key


def _has_printed_list(guide: GuideData) -> bool:
    return reference_section(guide.guide) is not None


def _sources_of(records: References | None, rows: list[tuple[str, int, str]]) -> list[Source]:
    """Source objects for some citekeys: from references.bib when it was parsed
    anyway, else from their entries as the previous build stored them."""
    if records is not None:
        return [s for key, _line, _raw in rows if (s := records.get(key)) is not None]
    parsed = parse_references("\n\n".join(raw for _key, _line, raw in rows))
    by_key = {s.key: s for s in parsed.sources}
    return [Source(entry=by_key[key].entry, line=line, strings=parsed.strings)
            for key, line, _raw in rows]


def _replace_rows(conn, touched: list[str], rows, findings: list[dict], affected: list[str]):
    """Write the changed guides' rows again and the affected sources' findings;
    keep the full-text index and the counts in step. Claims and links, most of
    the rows, are written only where they changed (database/sync.py)."""
    def run(sql, *lists):
        params, marks = [], []
        for values in lists:
            params += list(values)
            marks.append(", ".join("?" * len(values)) or "null")
        conn.execute(sql.format(*marks), tuple(params))

    source_codes = "code like 'source-%'"
    run(f"delete from findings where (not {source_codes} and guide_id in ({{}})) "
        f"or ({source_codes} and source_id in ({{}}))", touched, affected)
    run("delete from retired_claims where guide_id in ({})", touched)
    run("delete from claim_history where guide_id in ({})", touched)
    run("delete from guide_references where guide_id in ({})", touched)
    run("delete from blocks where guide_id in ({})", touched)
    run("delete from sections where guide_id in ({})", touched)
    run("delete from guides where id in ({})", touched)
    for table, values in (("guides", rows.guides), ("sections", rows.sections),
                          ("blocks", rows.blocks), ("guide_references", rows.guide_references)):
        insert_rows(conn, table, values)
    sync_guides_claims(conn, touched, rows.claims, rows.links)
    for table, values in (("retired_claims", rows.retired), ("claim_history", rows.history),
                          ("findings", findings)):
        insert_rows(conn, table, values)
    run("update sources set claim_count = (select count(*) from claim_sources "
        "where source_id = sources.id) where id in ({})", affected)
