"""The project: references.bib and every guide with its claims, validated together."""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from evidence.bib.references import References, load_references, validate_references
from evidence.claims import history as claim_history
from evidence.claims.loader import Claim, ClaimsFile, GuideMeta, NotClaim, load_claims
from evidence.claims.pins import Change, PinValues, current_values, pin_changes, stale_reason
from evidence.errors import EvidenceError, InputError, Problem, raise_if, read_utf8
from evidence.guide.anchor import Anchor, AnchorFailure, GuideIndex, sentence_around
from evidence.guide.document import Guide, parse_guide
from evidence.perf import collector_paused
from evidence.scale import Grade, LinkGrade, grade_claim

REFERENCES_FILE = "references.bib"
CLAIMS_DIR = "claims"
GUIDE_FILE = "guide.md"
CLAIMS_FILE = "claims.yaml"

# Where each claim id was first seen (claims.yaml, line): ids are unique across guides.
ClaimHomes = dict[str, tuple[Path, int | None]]
class SourceFacts(NamedTuple):
    """What a claim's grade and its review's pin need of a source."""

    tier: str | None
    retracted: bool
    design: str | None = None
    doi: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where a claim stood at its last good anchoring: an orphaned claim keeps it."""

    section_id: str | None
    start: int | None
    end: int | None
    line: int | None


@dataclass
class GuideData:
    id: str
    guide: Guide
    claims_file: ClaimsFile
    anchors: dict[str, Anchor] = field(default_factory=dict)  # by claim id
    not_claim_anchors: list[tuple[NotClaim, Anchor]] = field(default_factory=list)
    # Claims left out of the build: their id is another guide's, met first (by guide id).
    left_out: set[str] = field(default_factory=set)
    # The last good placement of claims that do not anchor (orphans), by claim id.
    kept: dict[str, Placement] = field(default_factory=dict)
    # Set when the guide is built from its last good files, not the current ones
    # (then claims_text is the last good claims.yaml).
    stale_reason: str | None = None
    claims_text: str | None = None
    # history.yaml: what editors did to the claims (claims/history.py); empty when the
    # file is unreadable (reported: only the history is left out) or absent.
    history: list[claim_history.Change] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return self.claims_file.claims

    @property
    def title(self) -> str:
        return self.claims_file.meta.title or self.id

    @property
    def language(self) -> str:
        return self.claims_file.meta.language

    def claims_in_order(self) -> list[Claim]:
        """Claims in the order their quotes stand in the guide."""
        def start(claim: Claim) -> int:
            anchor = self.anchors.get(claim.id)
            if anchor is not None:
                return anchor.start
            kept = self.kept.get(claim.id)
            return kept.start if kept is not None and kept.start is not None else 1 << 62

        return sorted(self.claims, key=start)

    def built_claims(self) -> list[Claim]:
        """The claims the build publishes, in guide order (left-out ones aside)."""
        return [c for c in self.claims_in_order() if c.id not in self.left_out]


@dataclass
class Project:
    root: Path
    references: References
    guides: list[GuideData]
    problems: list[Problem] = field(default_factory=list)  # only when loaded leniently
    # Sources whose entries have an error: left out of the build, links to them unknown.
    bad_sources: frozenset[str] = frozenset()
    # Guides whose files cannot be built as they are, and why (loaded leniently).
    broken: dict[str, str] = field(default_factory=dict)
    _source_facts: dict[str, SourceFacts] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _grades: dict[int, tuple[Claim, Grade]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def guide(self, guide_id: str) -> GuideData:
        for guide in self.guides:
            if guide.id == guide_id:
                return guide
        known = ", ".join(g.id for g in self.guides) or "none"
        raise EvidenceError(f"no guide {guide_id!r} in {self.root / CLAIMS_DIR} (guides: {known})")

    def seed_source_facts(self, facts: Mapping[str, SourceFacts]) -> None:
        """Take sources' facts as known (from the previous database, when
        references.bib is unchanged) instead of reading them from the records."""
        self._source_facts.update(facts)

    def source_facts(self, key: str) -> SourceFacts | None:
        """(tier, retracted) of a source, None for an unknown citekey.

        A project is a snapshot: each source is read once, however many of
        the 100,000 claims cite it."""
        fact = self._source_facts.get(key)
        if fact is None:
            if key in self.bad_sources:
                return None
            source = self.references.get(key)
            if source is None:
                return None
            fact = self._source_facts[key] = SourceFacts(
                source.tier, source.retracted, source.study_design, source.doi)
        return fact

    def pin_values(self, guide: GuideData, claim: Claim) -> PinValues:
        """What a review of the claim pins now (and what its pin is compared with)."""
        anchor = guide.anchors.get(claim.id)
        sentence = sentence_around(guide.guide, anchor) if anchor is not None else None

        def lookup(key: str) -> tuple[str | None, str | None, bool, str | None] | None:
            fact = self.source_facts(key)
            return None if fact is None else (fact.design, fact.tier, fact.retracted, fact.doi)

        return current_values(claim, sentence, lookup)

    def review_changes(self, guide: GuideData, claim: Claim) -> list[Change]:
        """What changed since the claim's verdict was pinned (empty: it holds)."""
        pin = claim.review.pin
        if not pin or claim.review.status == "unreviewed":
            return []
        return pin_changes(pin, self.pin_values(guide, claim))

    def published_status(self, guide: GuideData, claim: Claim) -> tuple[str, str | None]:
        """(status, why it lapsed): a verified or disputed verdict whose pin no
        longer matches is ``stale``, never shown as given."""
        status = claim.review.status
        if status in ("verified", "disputed"):
            changes = self.review_changes(guide, claim)
            if changes:
                return "stale", stale_reason(changes, status, claim.review.on)
        return status, None

    def grade(self, claim: Claim) -> Grade:
        # Graded once per claim: the build and the check both ask for every one.
        known = self._grades.get(id(claim))
        if known is not None and known[0] is claim:
            return known[1]
        links = []
        for link in claim.evidence:
            fact = self._source_facts.get(link.source) or self.source_facts(link.source)
            if fact is not None:
                links.append(LinkGrade(link.relation, fact[0], link.direct, fact[1]))
        grade = grade_claim(links, claim.consensus)
        self._grades[id(claim)] = (claim, grade)
        return grade


def plainly_safe(paths) -> bool:
    """No links, a folder then regular files (or missing ones): what
    :func:`unsafe_input` passes, at one lstat a path instead of resolving each;
    the fast path of the incremental build and of ``check --guide``."""
    for position, path in enumerate(paths):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not (stat.S_ISDIR(mode) if position == 0 else stat.S_ISREG(mode)):
            return False
    return True


def unsafe_input(path: Path, root: Path, *, folder: bool = False) -> str | None:
    """Why the build must not read a project file (or, with ``folder``, a
    folder); None when it may.

    Only what lies inside the project is read: a link that leads outside it
    (to /etc, a home folder, another project) could publish files nobody meant
    to, a FIFO or device instead of a file would hang the build, and a folder
    where a file belongs would take it down.
    """
    try:
        real = Path(path).resolve(strict=True)
    except FileNotFoundError:
        return None  # missing (or a dangling link): the caller treats it as absent
    except (OSError, RuntimeError):
        return "is a link that cannot be followed (a loop?)"
    if not real.is_relative_to(Path(root).resolve()):
        return f"is a link to {real}, outside the project"
    if folder:
        return None if real.is_dir() else "is not a folder"
    if real.is_dir():
        return "is a folder, not a file"
    if not real.is_file():
        return "is not a regular file"
    return None


def first_unsafe(paths: Sequence[Path], root: Path) -> tuple[Path, str] | None:
    """The first of a guide's folder and then its files that the build must not
    read, with why; None when it may read them all."""
    for position, path in enumerate(paths):
        why = unsafe_input(path, root, folder=position == 0)
        if why:
            return path, why
    return None


def safe_to_read(path: Path, root: Path) -> bool:
    """Whether a project file exists and may be read: one lstat for a plain
    file, else :func:`unsafe_input` (a file that is not there is not read)."""
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            return True
    except FileNotFoundError:
        return False
    return Path(path).exists() and unsafe_input(path, root) is None


def _unsafe_problem(path: Path, root: Path, why: str, item: str | None = None, *,
                    code: str) -> Problem:
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    hint = ("the build reads only regular files inside the project: "
            + ("copy the file into the project instead of linking to it"
               if why.startswith("is a link") else "put the file itself there"))
    return Problem(path, None, item, f"{shown} {why}", hint, code=code)


def guide_dirs(root: Path) -> list[Path]:
    base = Path(root) / CLAIMS_DIR
    if not base.is_dir():
        return []
    return sorted(d for d in base.iterdir() if d.is_dir() and not d.name.startswith("."))


def input_files(root: Path) -> list[Path]:
    """Every file whose content goes into the database."""
    return _inputs(Path(root))[0]


def _inputs(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files the build reads, and the paths it refuses to read with why (a
    link out of the project, a FIFO, a folder where a file belongs): those go
    into the digest too, so that one appearing after a build is a change the
    next build reports, not an "up to date"."""
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    references = root / REFERENCES_FILE
    if references.exists():
        if why := unsafe_input(references, root):
            refused.append((references, why))
        else:
            files.append(references)
    claims_dir = root / CLAIMS_DIR
    plain_claims_dir = (not claims_dir.is_symlink()
                        and unsafe_input(claims_dir, root, folder=True) is None)
    for directory in guide_dirs(root):
        names = [directory / GUIDE_FILE, directory / CLAIMS_FILE,
                 directory / claim_history.HISTORY_FILE]
        plain = _plain_files(directory, names) if plain_claims_dir else None
        if plain is not None:
            files += plain
        elif why := unsafe_input(directory, root, folder=True):
            refused.append((directory, why))
        else:
            for path in names:
                if path.exists():
                    if why := unsafe_input(path, root):
                        refused.append((path, why))
                    else:
                        files.append(path)
    return files, refused


def _plain_files(directory: Path, files: list[Path]) -> list[Path] | None:
    """Those of ``files`` that exist, when ``directory`` is a plain folder (in a
    claims folder that is no link) and each of them a plain file: then nothing
    leads outside the project, which one lstat a path tells. None otherwise,
    for :func:`unsafe_input` to decide, resolving each."""
    found = []
    for position, path in enumerate((directory, *files)):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            if position == 0:
                return None
            continue
        if not (stat.S_ISDIR(mode) if position == 0 else stat.S_ISREG(mode)):
            return None
        if position:
            found.append(path)
    return found


def refuse_output_over_input(root: Path | str, output: Path | str, *,
                             folder: bool = False) -> None:
    """Raise when ``output`` names one of the project's inputs: references.bib, or a
    guide's guide.md, claims.yaml or history.yaml (through a link or a relative path
    too); with ``folder``, when the output folder holds one (a folder output may be
    replaced as a whole). Every command with an output option asks this before it
    writes."""
    root, output = Path(root), Path(output)
    target = output.resolve()
    base = root.resolve()
    inputs = [base / REFERENCES_FILE]
    if target.parent.parent == base / CLAIMS_DIR and target.name in GUIDE_INPUTS:
        inputs.append(target)  # a guide's file, whether the guide has it yet or not
    for directory in guide_dirs(root):
        inputs += [directory / name for name in GUIDE_INPUTS]
    for path in inputs:
        inside = folder and path.exists() and path.resolve().is_relative_to(target)
        if inside or target == path.resolve() or _same_file(output, path):
            shown = path.relative_to(base) if path.is_relative_to(base) else path
            what = f"holds the project's {shown}" if inside else f"is the project's {shown}"
            raise EvidenceError(
                f"{output} {what}, an input: writing there would replace it; nothing was "
                f"written. Give another {'folder' if folder else 'file name'} for the output")


# A guide's files that the project reads or keeps (DESIGN §2).
GUIDE_INPUTS = (GUIDE_FILE, CLAIMS_FILE, "history.yaml")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)  # hard links too
    except OSError:
        return False


@dataclass(frozen=True)
class InputDigest:
    """The digest of every input file together (what a build compares with the
    one its database records), and each file's own: the sha256 of its bytes,
    which the incremental build compares with each guide's recorded hashes
    instead of reading every file a second time."""

    value: str
    files: Mapping[Path, str]


def input_digests(root: Path, extra: str = "") -> InputDigest:
    digest = hashlib.sha256(extra.encode())
    paths, refused = _inputs(Path(root))
    files = dict(zip(paths, _sha256_of_files(paths), strict=True))
    for path, own in files.items():
        digest.update(str(path.relative_to(root)).encode() + b"\0" + own.encode() + b"\0")
    for path, why in refused:
        digest.update(str(path.relative_to(root)).encode() + b"\0refused: " + why.encode() + b"\0")
    return InputDigest(digest.hexdigest(), files)


def _sha256_of_files(paths: list[Path]) -> list[str]:
    """Each file's sha256, two files at a time: reading a file and hashing it
    let go of Python's lock (hashlib does for more than 2 KiB), so a second
    thread halves the time on two cores. The threads take the next file from
    one queue, so a large references.bib holds up neither. An error reading a
    file is raised here, once both threads are done."""
    hashes = [""] * len(paths)
    jobs = iter(range(len(paths)))  # next() on it is atomic: each file hashed once
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for index in jobs:
                hashes[index] = hashlib.sha256(paths[index].read_bytes()).hexdigest()
        except BaseException as exc:  # noqa: BLE001 - raised again below, in the caller's thread
            errors.append(exc)

    helper = threading.Thread(target=work, name="evidence-digest") if len(paths) > 2 else None
    if helper is not None:
        helper.start()
    work()
    if helper is not None:
        helper.join()
    if errors:
        raise errors[0]
    return hashes


def input_digest(root: Path, extra: str = "") -> str:
    return input_digests(root, extra).value


def load_project(root: Path | str = ".", *, strict: bool = True) -> Project:
    """Load and validate everything; with ``strict`` raise InputError on any problem.

    With ``strict=False`` the problems are kept on the project instead, and
    claims that do not anchor are left without an anchor: that is what
    ``evidence check`` needs to report on a guide mid-edit.
    """
    with collector_paused():  # many objects, no garbage cycles: see evidence/perf.py
        return _load_project(Path(root), strict)


def _load_project(root: Path, strict: bool) -> Project:
    if not (root / REFERENCES_FILE).exists() and not (root / CLAIMS_DIR).is_dir():
        raise EvidenceError(
            f"{root.resolve()} is not an evidence project: it has neither "
            f"{REFERENCES_FILE} nor a {CLAIMS_DIR}/ folder (use --project to point at one)"
        )
    problems: list[Problem] = []
    why = unsafe_input(root / REFERENCES_FILE, root)
    if why:
        problems.append(_unsafe_problem(root / REFERENCES_FILE, root, why, code="bibtex-invalid"))
        references = References.empty(root / REFERENCES_FILE)
    else:
        references = load_references(root / REFERENCES_FILE, validate=False)
        problems += validate_references(references)
    bad_sources = bad_entries(references, problems)

    guides: list[GuideData] = []
    broken: dict[str, str] = {}
    citekeys = frozenset(source.key for source in references) - bad_sources
    claim_homes: ClaimHomes = {}
    readings = [(directory, read_guide_dir(root, directory)) for directory in guide_dirs(root)]
    retired = retired_homes(r.data for _, r in readings if r.data is not None)
    for directory, reading in readings:
        problems += validate_guide(reading, citekeys, claim_homes, retired)
        if reading.data is not None:
            guides.append(reading.data)
        if reading.broken is not None:
            broken[directory.name] = reading.broken

    if strict:
        raise_if(problems)
    return Project(root, references, guides, problems, bad_sources, broken)


def bad_entries(references: References, problems: Collection[Problem]) -> frozenset[str]:
    """The citekeys whose entries have an error (a bad DOI, an unknown design, a
    second entry with the key or the DOI): the build leaves them out."""
    return frozenset(p.item for p in problems
                     if p.item and p.code in _BAD_ENTRY_CODES and p.item in references)


# The references.bib problems that make an entry unfit to publish.
_BAD_ENTRY_CODES = frozenset({"doi-invalid", "doi-duplicate", "study-design-unknown",
                              "bibtex-invalid", "citekey-duplicate", "field-duplicate"})


@dataclass
class GuideReading:
    """One guide folder as read on its own: parsed and anchored, not yet
    checked against the rest of the project (citekeys, claim ids elsewhere).

    Reading needs nothing but the folder, so it can happen anywhere (another
    process, a rebuild that has only the previous database);
    :func:`validate_guide` then gives every problem of the guide in one order,
    whoever read it.
    """

    data: GuideData | None  # None when the folder could not be read at all
    problems: list[Problem] = field(default_factory=list)  # of the files themselves
    # Why the guide cannot be built from its files (unreadable, or a claim id
    # twice in claims.yaml): the build keeps its last good rows instead.
    broken: str | None = None
    unanchored: dict[int, Problem] = field(default_factory=dict)  # by position in data.claims
    not_claim_problems: list[Problem] = field(default_factory=list)


def read_guide_dir(root: Path, directory: Path) -> GuideReading:
    """Parse a guide folder and anchor its claims and non-claims."""
    guide_path, claims_path = directory / GUIDE_FILE, directory / CLAIMS_FILE
    unsafe = first_unsafe((directory, guide_path, claims_path), root)
    if unsafe:
        where, reason = unsafe
        return _unreadable([_unsafe_problem(where, root, reason, directory.name,
                                            code="claims-invalid")])
    if not guide_path.exists():
        return _unreadable([Problem(directory, None, directory.name, f"no {GUIDE_FILE}",
                                    "every guide folder holds guide.md and claims.yaml",
                                    code="guide-missing")])
    problems: list[Problem] = []
    if claims_path.exists():
        claims_file, found = load_claims(claims_path)
        problems += found
        if claims_file is None:
            return _unreadable(problems)
    else:
        claims_file = ClaimsFile(claims_path, GuideMeta(), [], [])
    try:
        guide_text = read_utf8(guide_path, code="claims-invalid")
    except InputError as exc:
        return _unreadable(problems + exc.problems)
    reading = guide_reading(directory.name, guide_text, guide_path, claims_file, problems)
    history_path = directory / claim_history.HISTORY_FILE
    why = unsafe_input(history_path, root) if history_path.exists() else None
    if why:
        problems.append(_unsafe_problem(history_path, root, why, directory.name,
                                        code="history-invalid"))
    elif reading.data is not None:
        reading.data.history, found = claim_history.load_history(history_path)
        problems += found
    return reading


def guide_reading(guide_id: str, guide_text: str, guide_path: Path, claims_file: ClaimsFile,
                  problems: list[Problem]) -> GuideReading:
    """A guide from its texts, anchored: the current files, or the last good ones."""
    guide = parse_guide(guide_id, guide_text, guide_path, claims_file.meta.title)
    reading = GuideReading(GuideData(guide_id, guide, claims_file), problems)
    seen: dict[str, Claim] = {}
    for claim in claims_file.claims:
        first = seen.setdefault(claim.id, claim)
        if first is not claim:
            problems.append(Problem(
                claims_file.path, claim.line, claim.id,
                f"duplicate claim id (also at {claims_file.path}:{first.line})",
                "claim ids are unique across all guides and never reused: choose a new one",
                code="claim-id-duplicate"))
            reading.broken = reading.broken or f"claim id {claim.id!r} is used twice in claims.yaml"
    _anchor(reading)
    return reading


def _unreadable(problems: list[Problem]) -> GuideReading:
    first = problems[0] if problems else None
    why = first.message if first is not None else "the guide's files cannot be read"
    if first is not None and first.line:
        why = f"line {first.line}: {why}"
    return GuideReading(None, problems, broken=why)


def _anchor(reading: GuideReading) -> None:
    data = reading.data
    assert data is not None
    path = data.claims_file.path
    index = GuideIndex(data.guide)
    index.locate([claim.quote for claim in data.claims]
                 + [entry.quote for entry in data.claims_file.not_claims])
    for position, claim in enumerate(data.claims):
        result = index.anchor(claim.quote, claim.prefix, claim.suffix)
        if isinstance(result, AnchorFailure):
            reading.unanchored[position] = Problem(
                path, claim.line, claim.id, f"{result.message} ({data.guide.path})", result.hint,
                code=result.code)
        else:
            data.anchors[claim.id] = result
    for entry in data.claims_file.not_claims:
        result = index.anchor(entry.quote, entry.prefix, entry.suffix)
        if isinstance(result, AnchorFailure):
            reading.not_claim_problems.append(Problem(
                path, entry.line, "not_claims", f"{result.message} ({data.guide.path})",
                result.hint, code=result.code))
        else:
            data.not_claim_anchors.append((entry, result))


def retired_homes(guides: Iterable[GuideData]) -> ClaimHomes:
    """Where each retired claim id was retired (claims.yaml, line), first place first."""
    homes: ClaimHomes = {}
    for guide in guides:
        for retired in guide.claims_file.retired:
            homes.setdefault(retired.id, (guide.claims_file.path, retired.line))
    return homes


def validate_guide(reading: GuideReading, citekeys: Collection[str],
                   claim_homes: ClaimHomes, retired: Mapping[str, tuple[Path, int | None]]
                   | None = None) -> list[Problem]:
    """Every problem of a guide as read: its files', then claim by claim a
    duplicate id, unknown citekeys (checked against ``citekeys``) and a quote
    that does not anchor, then the non-claims'. ``claim_homes`` holds the ids
    of the guides validated before, and gains this guide's."""
    problems = list(reading.problems)
    data = reading.data
    if data is None:
        return problems
    path = data.claims_file.path
    retired = retired or {}
    for position, claim in enumerate(data.claims):
        if claim.id in retired:
            where, line = retired[claim.id]
            data.left_out.add(claim.id)
            problems.append(Problem(
                path, claim.line, claim.id,
                f"the claim id {claim.id!r} was retired ({where}:{line}); this claim is left out",
                "a retired id is never reused: give the new claim a new id",
                code="claim-id-retired"))
            continue
        if claim.id in claim_homes:
            other_path, other_line = claim_homes[claim.id]
            if other_path == path:
                continue  # twice in this file: reported by guide_reading
            data.left_out.add(claim.id)
            problems.append(Problem(
                path, claim.line, claim.id,
                f"duplicate claim id (also at {other_path}:{other_line}); this guide's "
                "claim is left out",
                "claim ids are unique across all guides and never reused: choose a new one",
                code="claim-id-duplicate",
            ))
        else:
            claim_homes[claim.id] = (path, claim.line)
        for link in claim.evidence:
            if link.source not in citekeys:
                close = _close_keys(link.source, citekeys)
                problems.append(Problem(
                    path, link.line, claim.id, f"unknown citekey {link.source!r}",
                    (f"did you mean {close!r}? " if close else "")
                    + "add the source with `evidence add DOI` or fix the key",
                    code="citekey-unknown",
                ))
        if position in reading.unanchored:
            problems.append(reading.unanchored[position])
    return problems + reading.not_claim_problems


def _close_keys(key: str, citekeys: Collection[str]) -> str | None:
    # Ties go to the smaller key (get_close_matches ranks by score, then key),
    # so the order of ``citekeys`` does not matter.
    close = difflib.get_close_matches(key, list(citekeys), n=1)
    return close[0] if close else None
