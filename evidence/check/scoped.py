"""``evidence check --guide``: some guides checked without reading all the others.

The full check reads, anchors and checks every guide; reporting on one guide of
a hundred that way takes seconds. A guide's findings depend on the other guides
only through a few facts of theirs (DESIGN §11 and check/sources.py): the ids of
their claims and where they stand (ids are unique across guides, the first by
guide order keeps its id), the ids they retired, the citekeys each claim links
(a source's findings name every claim citing it, and say which guides cite it)
and the citekeys their printed reference lists cite. Those facts are kept for
each other guide as a :class:`GuideSummary`, made from the very reading the full
check does (:func:`evidence.project.read_guide_dir`, then the check's own
:func:`printed_findings`) and cached in the cache folder under the digest of
the guide's files (and, for a printed list, of references.bib), so each guide
is read in full once per version of its files.

Only the guides asked for are then read and checked, with the full check's
functions, and the findings are those of the full check concerning them (a test
holds the two equal, tests/check/test_scoped.py). references.bib is loaded as
the full check loads it: it is shared by every guide, and it is what the check
of one guide costs most (docs/performance.md, "The editor's loop").
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from evidence import __version__
from evidence.atomic import atomic_write_text
from evidence.bib.references import (
    References,
    load_references,
    parse_references,
    validate_references,
)
from evidence.check.claims import claim_findings
from evidence.check.finding import Finding
from evidence.check.printed import ReferenceIndex, printed_findings
from evidence.check.problems import problem_findings
from evidence.check.sources import ClaimLink, source_findings
from evidence.check.text import guide_text_findings
from evidence.errors import EvidenceError, Problem
from evidence.guide.reference_list import reference_list
from evidence.perf import collector_paused
from evidence.project import (
    CLAIMS_DIR,
    CLAIMS_FILE,
    GUIDE_FILE,
    REFERENCES_FILE,
    ClaimHomes,
    GuideData,
    GuideReading,
    Project,
    bad_entries,
    first_unsafe,
    guide_dirs,
    plainly_safe,
    read_guide_dir,
    unsafe_input,
    validate_guide,
)

# Bumped whenever what a summary holds, or how it is made, changes.
SUMMARY_VERSION = 1


@dataclass(frozen=True)
class GuideSummary:
    """What the check of another guide needs of a guide (see the module)."""

    readable: bool  # the folder read (read_guide_dir gave a guide): its claims count
    claims: tuple[tuple[str, int | None, tuple[str, ...]], ...]  # id, line, linked citekeys
    retired: tuple[tuple[str, int | None], ...]  # id, line
    has_reference_list: bool
    # The citekeys its printed list cites, by the digest of references.bib they
    # were matched against (only the latest is kept).
    printed: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, reading: GuideReading) -> GuideSummary:
        data = reading.data
        if data is None:
            return cls(False, (), (), False, {})
        return cls(
            True,
            tuple((c.id, c.line, tuple(link.source for link in c.evidence)) for c in data.claims),
            tuple((r.id, r.line) for r in data.claims_file.retired),
            reference_list(data.guide) is not None,
            {},
        )

    def as_json(self, digest: str) -> str:
        return json.dumps({"digest": digest, "readable": self.readable,
                           "claims": self.claims, "retired": self.retired,
                           "has_reference_list": self.has_reference_list,
                           "printed": self.printed}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, digest: str) -> GuideSummary | None:
        try:
            data = json.loads(text)
            if data.get("digest") != digest:
                return None  # the summary of another version of the files
            return cls(bool(data["readable"]),
                       tuple((c[0], c[1], tuple(c[2])) for c in data["claims"]),
                       tuple((r[0], r[1]) for r in data["retired"]),
                       bool(data["has_reference_list"]),
                       {k: tuple(v) for k, v in data["printed"].items()})
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # damaged: made again


def cache_dir() -> Path:
    """Where the summaries live: ``EVIDENCE_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get("EVIDENCE_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("evidence"))


def check_guides(root: Path | str, guide_ids: Collection[str]) -> tuple[Project, list[Finding]]:
    """The project holding only ``guide_ids`` (read in full), and every finding of
    the full check that concerns them (and maybe a few more: filter them with
    :func:`evidence.check.run.filter_findings`, as for the full check)."""
    with collector_paused():
        return _check_guides(Path(root), set(guide_ids))


def known_guides(root: Path | str) -> list[str]:
    """Every guide of the project, readable or not: the names ``--guide`` accepts."""
    _require_project(Path(root))
    return [d.name for d in guide_dirs(Path(root))]


def _require_project(root: Path) -> None:
    if not (root / REFERENCES_FILE).exists() and not (root / CLAIMS_DIR).is_dir():
        raise EvidenceError(
            f"{root.resolve()} is not an evidence project: it has neither "
            f"{REFERENCES_FILE} nor a {CLAIMS_DIR}/ folder (use --project to point at one)")


def _check_guides(root: Path, wanted: set[str]) -> tuple[Project, list[Finding]]:
    _require_project(root)
    directories = guide_dirs(root)
    readings = {d.name: read_guide_dir(root, d) for d in directories if d.name in wanted}
    bib = _Bib(root)
    guides = [r.data for r in readings.values() if r.data is not None]
    if any(reference_list(g.guide) is not None for g in guides):
        references, problems = bib.full()  # a printed list is matched against every entry
    else:
        references, problems = bib.for_keys(
            {link.source for g in guides for c in g.claims for link in c.evidence})
    bad_sources = bad_entries(references, problems)
    citekeys = frozenset(bib.keys(references)) - bad_sources
    project = Project(root, references, [], list(problems), bad_sources, {})
    claims_dir = root / CLAIMS_DIR
    safe_claims_dir = (not claims_dir.is_symlink()
                       and unsafe_input(claims_dir, root, folder=True) is None)
    summaries = {d.name: _summary(root, d, bib, safe_claims_dir)
                 for d in directories if d.name not in wanted}
    _validate(project, directories, readings, summaries, citekeys)
    order = [d.name for d in directories]
    return project, _run(project, order, summaries, ReferenceIndex(project), bib.digest)


def _validate(project: Project, directories: list[Path], readings: dict[str, GuideReading],
              summaries: dict[str, GuideSummary], citekeys: frozenset[str]) -> None:
    """Validation as load_project does it, guide by guide in order: the guides
    read in full validated, the others' part played from their summaries."""
    retired: ClaimHomes = {}
    for directory in directories:
        path = directory / CLAIMS_FILE
        reading = readings.get(directory.name)
        if reading is not None:
            if reading.data is not None:
                for entry in reading.data.claims_file.retired:
                    retired.setdefault(entry.id, (reading.data.claims_file.path, entry.line))
        elif summaries[directory.name].readable:
            for retired_id, line in summaries[directory.name].retired:
                retired.setdefault(retired_id, (path, line))
    homes: ClaimHomes = {}
    for directory in directories:
        reading = readings.get(directory.name)
        if reading is not None:
            project.problems += validate_guide(reading, citekeys, homes, retired)
            if reading.data is not None:
                project.guides.append(reading.data)
            if reading.broken is not None:
                project.broken[directory.name] = reading.broken
            continue
        summary = summaries[directory.name]
        if not summary.readable:
            continue
        path = directory / CLAIMS_FILE
        for claim_id, line, _keys in summary.claims:
            if claim_id not in retired and claim_id not in homes:
                homes[claim_id] = (path, line)


def _run(project: Project, order: list[str], summaries: dict[str, GuideSummary],
         index: ReferenceIndex, refs_digest: str) -> list[Finding]:
    """check.run.run_checks on the guides of ``project``, the others' part from
    their summaries; source findings only for the sources those guides cite."""
    findings: list[Finding] = []
    own = {guide.id: guide for guide in project.guides}
    own_printed: dict[str, set[str]] = {}
    for guide in project.guides:
        findings += claim_findings(project, guide)
        findings += guide_text_findings(project, guide)
        found, printed_keys = printed_findings(project, guide, index)
        findings += found
        own_printed[guide.id] = printed_keys

    # Only what the findings of these guides can depend on is gathered: the
    # claims linking a source these guides cite, and for the problems (named
    # by an item) which guides cite the item and whether it is a claim id.
    concerned = {link.source for g in project.guides for c in g.claims for link in c.evidence
                 if link.source in project.references}
    concerned |= {key for keys in own_printed.values() for key in keys}
    items = {p.item for p in project.problems if p.item}
    linked: dict[str, list[ClaimLink]] = defaultdict(list)
    printed_in: dict[str, set[str]] = defaultdict(set)
    cited_in: dict[str, set[str]] = defaultdict(set)
    claim_guides: dict[str, str] = {}
    for guide_id in order:
        printed: Iterable[str]
        if guide_id in own:
            data: GuideData = own[guide_id]
            claims: Iterable[tuple[str, tuple[str, ...]]] = (
                (c.id, tuple(link.source for link in c.evidence)) for c in data.claims)
            printed = own_printed[guide_id]
        else:
            summary = summaries.get(guide_id)  # None: a guide asked for that did not read
            if summary is None or not summary.readable:
                continue
            claims = ((claim_id, links) for claim_id, _line, links in summary.claims)
            printed = summary.printed.get(refs_digest, ())
        for claim_id, links in claims:
            if claim_id in items:
                claim_guides.setdefault(claim_id, guide_id)
            for key in dict.fromkeys(links):
                if key in concerned:
                    linked[key].append(ClaimLink(guide_id, claim_id))
                if key in items:
                    cited_in[key].add(guide_id)
        for key in printed:
            printed_in[key].add(guide_id)
    sources = [s for s in project.references if s.key in concerned]
    findings += source_findings(project, linked, printed_in, sources)
    for key, guides in printed_in.items():
        if key in items:
            cited_in[key] |= guides
    findings = problem_findings(project, cited_in, claim_guides) + findings
    return sorted(dict.fromkeys(findings), key=Finding.sort_key)


@dataclass(frozen=True)
class _BibIndex:
    """What a check needs of references.bib besides the entries its guides cite:
    every citekey, the problems of the whole file and where each block stands."""

    keys: tuple[str, ...]
    problems: tuple[Problem, ...]
    # (start line, start, end) of every @string block and (key, start line,
    # start, end) of every entry, in the file's order
    strings: tuple[tuple[int, int, int], ...]
    entries: dict[str, tuple[int, int, int]]

    @classmethod
    def of(cls, references: References, problems: list[Problem]) -> _BibIndex | None:
        """None when the file cannot be read entry by entry as it reads whole (a
        block that failed to parse may have swallowed its neighbours)."""
        library = references.library
        if library.failed_blocks:
            return None
        found = [(b.start_line, "", b.raw) for b in library.strings]
        found += [(e.start_line, e.key, e.raw) for e in library.entries]
        blocks: list[tuple[int, str, str]] = []
        for line, key, raw in found:
            if line is None or not raw:
                return None
            blocks.append((line, key, raw))
        blocks.sort(key=lambda b: b[0])
        text, cursor = references.text, 0
        strings: list[tuple[int, int, int]] = []
        entries: dict[str, tuple[int, int, int]] = {}
        for line, key, raw in blocks:
            start = text.find(raw, cursor)
            if start < 0 or key in entries:
                return None
            cursor = start + len(raw)
            if key:
                entries[key] = (line, start, cursor)
            else:
                strings.append((line, start, cursor))
        return cls(tuple(s.key for s in references), tuple(problems), tuple(strings), entries)

    def as_json(self, digest: str) -> str:
        problems = [[str(p.path) if p.path is not None else None, p.line, p.item, p.message,
                     p.hint, p.code] for p in self.problems]
        return json.dumps({"digest": digest, "keys": self.keys, "problems": problems,
                           "strings": self.strings, "entries": self.entries},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, digest: str) -> _BibIndex | None:
        try:
            data = json.loads(text)
            if data.get("digest") != digest:
                return None
            return cls(tuple(data["keys"]),
                       tuple(Problem(Path(p[0]) if p[0] is not None else None, p[1], p[2], p[3],
                                     p[4], code=p[5]) for p in data["problems"]),
                       tuple((s[0], s[1], s[2]) for s in data["strings"]),
                       {k: (v[0], v[1], v[2]) for k, v in data["entries"].items()})
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None


class _Bib:
    """references.bib for a check of some guides: read whole, as load_project reads
    it, or, when its index is cached for these very bytes, only the entries the
    guides cite (with the problems and citekeys of the whole file, from the index).

    The entries read are cut from the file and set at their own lines in an
    otherwise blank text, with every @string block, so each parses as it does in
    the whole file: the same fields, values, macros and line numbers."""

    def __init__(self, root: Path):
        self.root = root
        self.path = root / REFERENCES_FILE
        self.unsafe = unsafe_input(self.path, root)
        self.data = None if self.unsafe else _read(self.path)
        self.digest = _digest(self.data, str(self.path))
        self._where = _cache_file("references", self.path)
        self._index: _BibIndex | None = None
        if self.data is not None:
            try:
                self._index = _BibIndex.from_json(self._where.read_text(encoding="utf-8"),
                                                  self.digest)
            except (OSError, UnicodeDecodeError):
                self._index = None
        self._full: tuple[References, list[Problem]] | None = None
        self._printing: tuple[Project, ReferenceIndex] | None = None

    def full(self) -> tuple[References, list[Problem]]:
        """The whole file and its problems, as load_project has them (once)."""
        if self._full is None:
            self._full = self._load()
        return self._full

    def _load(self) -> tuple[References, list[Problem]]:
        from evidence.project import _unsafe_problem

        if self.unsafe:
            return References.empty(self.path), [
                _unsafe_problem(self.path, self.root, self.unsafe, code="bibtex-invalid")]
        references = load_references(self.path, validate=False)
        problems = validate_references(references)
        if self._index is None and self.data is not None and _read(self.path) == self.data:
            index = _BibIndex.of(references, problems)
            if index is not None:
                try:
                    self._where.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write_text(self._where, index.as_json(self.digest))
                except OSError:
                    pass  # not kept: the next check reads the whole file again
        return references, problems

    def for_keys(self, keys: Collection[str]) -> tuple[References, list[Problem]]:
        """References holding at least ``keys`` (those the file has) and every
        entry a problem names, with the whole file's problems."""
        index = self._index
        if index is None or self.data is None:
            return self.full()
        text = self.data.decode("utf-8")  # the bytes the index was made from: UTF-8
        wanted = set(keys) | {p.item for p in index.problems if p.item}
        blocks = sorted(list(index.strings)
                        + [index.entries[k] for k in wanted if k in index.entries],
                        key=lambda b: b[1])
        parts: list[str] = []
        line = 0
        for start_line, start, end in blocks:
            parts.append("\n" * (start_line - line) if start_line > line else " ")
            raw = text[start:end]
            parts.append(raw)
            line = max(line, start_line) + raw.count("\n")
        references = parse_references("".join(parts), self.path)
        expected = {k for k in wanted if k in index.entries}
        if references.library.failed_blocks or {s.key for s in references} != expected:
            return self.full()  # not as the index said: read it whole
        return references, list(index.problems)

    def keys(self, references: References) -> Iterable[str]:
        """Every citekey of the file (not only those of a partial read)."""
        if self._full is None and self._index is not None:
            return self._index.keys
        return [s.key for s in references]

    def printing(self) -> tuple[Project, ReferenceIndex]:
        """A project with the whole file, to match a printed reference list."""
        if self._printing is None:
            references, problems = self.full()
            project = Project(self.root, references, [], problems)
            self._printing = project, ReferenceIndex(project)
        return self._printing


def _cache_file(kind: str, path: Path) -> Path:
    """One file per guide folder or references.bib (the latest version's summary
    replaces the one before), named by where that lies."""
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return cache_dir() / "check" / kind / f"{name}.json"


_code: str | None = None


def _code_digest() -> str:
    """evidence's own code as installed (each module's path, size and time): a
    summary made by other code is made again, whatever the version says."""
    global _code
    if _code is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            st = path.stat()
            digest.update(f"{path.relative_to(package)} {st.st_size} {st.st_mtime_ns}\n".encode())
        _code = digest.hexdigest()
    return _code


def _digest(*parts: bytes | str | None) -> str:
    digest = hashlib.sha256(f"evidence {__version__} summary {SUMMARY_VERSION} "
                            f"{_code_digest()}".encode())
    for part in parts:
        if part is None:
            digest.update(b"\1absent")
        else:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None



def _summary(root: Path, directory: Path, bib: _Bib, safe_claims_dir: bool) -> GuideSummary:
    """A guide's summary: from the cache when its files are as they were, else made."""
    paths = (directory, directory / GUIDE_FILE, directory / CLAIMS_FILE)
    if not (safe_claims_dir and plainly_safe(paths)) and first_unsafe(paths, root):
        return _made(root, directory, bib)  # read as the full check reads it: no cache
    files = (_read(directory / GUIDE_FILE), _read(directory / CLAIMS_FILE))
    key = _digest(*files)
    where = _cache_file("guides", directory)
    try:
        cached = GuideSummary.from_json(where.read_text(encoding="utf-8"), key)
    except (OSError, UnicodeDecodeError):
        cached = None
    if cached is not None and (not cached.has_reference_list or bib.digest in cached.printed):
        return cached
    summary = _made(root, directory, bib)
    # Kept only when the files did not change while they were read.
    if files == (_read(directory / GUIDE_FILE), _read(directory / CLAIMS_FILE)):
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(where, summary.as_json(key))
        except OSError:
            pass  # a cache that cannot be written only costs this reading next time
    return summary


def _made(root: Path, directory: Path, bib: _Bib) -> GuideSummary:
    reading = read_guide_dir(root, directory)
    summary = GuideSummary.of(reading)
    if summary.has_reference_list and reading.data is not None:
        project, index = bib.printing()
        keys = printed_findings(project, reading.data, index)[1]
        summary.printed[bib.digest] = tuple(sorted(keys))
    return summary
