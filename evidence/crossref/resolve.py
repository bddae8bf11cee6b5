"""``evidence resolve`` and ``evidence add``: Crossref metadata into references.bib.

A batch fetches DOIs in a small thread pool (the client keeps to Crossref's
rate and concurrency limits), maps each record and merges the fields that
changed into references.bib. The main thread alone touches the file: results
are turned into *plans* (the complete set of changes for one entry), and
plans are applied and written in small groups, at most a second apart. A
write is atomic and holds whole plans only, so when a batch is interrupted
(Ctrl-C or SIGKILL) each entry on disk is as before or fully updated; after
Ctrl-C the plans already complete are written before the batch stops, and
everything fetched is in the response cache anyway, so a rerun is free.

A batch never stops at the first failure: it finishes and then lists what
failed and why.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bibtexparser.model import Entry, Field

from evidence.bib import citekeys
from evidence.bib.citekeys import unique_citekey
from evidence.bib.doi import DoiIndex, InvalidDOI, doi_or_none, normalise_doi
from evidence.bib.fieldhashes import FIELD as FIELDHASHES
from evidence.bib.fieldhashes import hashes_of
from evidence.bib.references import format_updates, load_references
from evidence.crossref.client import POLITE_POOL, CrossrefClient
from evidence.crossref.errors import (
    BadResponse,
    Cancelled,
    CrossrefError,
    CrossrefUnavailable,
    DOINotFound,
    InvalidDOIError,
    NotCached,
)
from evidence.crossref.mapping import map_work
from evidence.crossref.notices import merge_notices, with_article
from evidence.crossref.ownership import BIBLIOGRAPHIC_FIELDS, KeptField, decide
from evidence.crossref.ownership import force_fields as checked_force_fields
from evidence.crossref.pubtypes import make_pubmed_client, record_after_resolve
from evidence.errors import EvidenceError
from evidence.reporting.summarise import ReportLine, report_lines

if TYPE_CHECKING:
    from evidence.bib.references import References, Source, Update
    from evidence.crossref.client import Fetched
    from evidence.crossref.mapping import MappedWork

# The order fields take in a new entry the resolver writes (``fieldhashes`` last); a
# field added to an existing entry goes at its end, after the editor's fields.
FIELD_ORDER = (
    "author", "editor", "title", "journal", "shortjournal", "booktitle", "institution",
    "school", "year", "month", "volume", "number", "pages", "publisher", "issn", "isbn",
    "doi", "doialias", "orcids", "updates", "metadatasource",
)
FLUSH_SECONDS = 1.0  # write at least this often while results come in
FLUSH_ENTRIES = 50  # ... or after this many merged entries
PROGRESS_ABOVE = 5  # show a progress bar for batches larger than this


def metadatasource_value(today: str) -> str:
    return f"crossref {today}"


def is_from_crossref(source: Source) -> bool:
    return (source.raw("metadatasource") or "").strip().lower().startswith("crossref")


@dataclass
class Outcome:
    """What happened to one DOI or entry of a batch."""

    doi: str | None
    key: str | None = None
    status: str = "failed"  # updated | unchanged | added | present | failed | skipped
    changed: list[str] = field(default_factory=list)
    message: str | None = None
    updates: list[Update] = field(default_factory=list)
    canonical: str | None = None  # when the DOI was an alias
    error: CrossrefError | None = None  # why it failed, when the lookup failed
    kept: list[KeptField] = field(default_factory=list)  # the editor's values resolve kept

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class BatchReport:
    outcomes: list[Outcome]
    requests: int = 0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


# ---------------------------------------------------------------------------
# choosing entries


def select_entries(refs: References, names: list[str], *, everything: bool = False
                   ) -> tuple[list[Source], list[Outcome]]:
    """The entries to resolve: those named (citekeys or DOIs), else all with a
    DOI (``everything``), else those not yet resolved from Crossref."""
    chosen: list[Source] = []
    outcomes: list[Outcome] = []
    if names:
        dois = refs.doi_index()
        for name in names:
            source = refs.get(name)
            if source is None:
                doi = doi_or_none(name)
                key = dois.key(doi)
                source = refs.get(key) if key else None
                if source is None:
                    hint = ("; add it with `evidence add`" if doi else
                            "; give a citekey or a DOI of references.bib")
                    outcomes.append(Outcome(doi=doi or name, message=(
                        f"{name}: not in references.bib{hint}")))
                    continue
            if not source.doi:
                outcomes.append(Outcome(doi=None, key=source.key, message=(
                    f"{source.key}: has no (valid) doi field; add the DOI to resolve it")))
                continue
            if source not in chosen:
                chosen.append(source)
        return chosen, outcomes
    for source in refs.sources:
        if not source.doi:
            outcomes.append(Outcome(doi=None, key=source.key, status="skipped",
                                    message=f"{source.key}: no DOI, kept as it is"))
        elif everything or not is_from_crossref(source):
            chosen.append(source)
    return chosen, outcomes


# ---------------------------------------------------------------------------
# merging one record into one entry


@dataclass
class EntryPlan:
    """Every change to one existing entry; applying it twice changes nothing."""

    key: str
    changes: dict[str, str | None]
    entry_type: str | None = None
    outcome: Outcome | None = None
    kept: list[KeptField] = field(default_factory=list)  # the editor's values, reported

    def apply(self, refs: References) -> None:
        source = refs.get(self.key)
        if source is None:
            return
        entry = source.entry
        before = (entry.entry_type, list(entry.fields))
        try:
            for name, value in self.changes.items():
                refs.set_field(self.key, name, value)  # in place, in its spelling
            if self.entry_type:
                entry.entry_type = self.entry_type
        except BaseException:
            entry.entry_type, entry.fields = before[0], before[1]  # all or nothing
            source.forget()
            raise


@dataclass
class NewEntryPlan:
    key: str
    entry_type: str
    fields: list[tuple[str, str]]
    outcome: Outcome | None = None

    def apply(self, refs: References) -> None:
        if self.key not in refs:
            refs.add(Entry(self.entry_type, self.key, [Field(k, v) for k, v in self.fields]))


def plan_update(source: Source, work: MappedWork, fetched: Fetched, today: str, *,
                force: frozenset[str] = frozenset()) -> EntryPlan:
    """The changes that bring ``source`` in line with the Crossref record.

    Only fields the resolver owns are considered (editor fields and the
    citekey are never touched), and of those only the ones that are still as
    evidence wrote them, by their hashes in ``fieldhashes``
    (:mod:`evidence.crossref.ownership`): a value an editor typed or changed is
    kept and reported, unless named in ``force``. So Crossref lacking an issue
    number does not remove the printed one, and an editor's ``PM R`` stays.
    ``metadatasource`` gets today's date only when something else changed (or
    the entry was not from Crossref yet), so re-resolving unchanged records
    leaves the file untouched.

    Aliases: when the DOI of the entry is an alias (Crossref answers 301 to
    the canonical DOI), ``doi`` gets the canonical DOI and ``doialias`` keeps
    the one the entry had, which is what the guide may print.
    """
    was_crossref = is_from_crossref(source)
    values = {name: value for name, value in work.fields.items() if name in BIBLIOGRAPHIC_FIELDS}
    decision = decide(source, work.entry_type, values, force=force)
    target: dict[str, str | None] = dict(decision.changes)
    target["doi"] = work.doi
    old_doi = source.doi
    if old_doi and old_doi != work.doi:
        target["doialias"] = old_doi
    # Notices are merged, never replaced: one no longer listed is marked reversed.
    notices = merge_notices(source.updates, work.updates, today,
                            missing_means_reversed=not fetched.from_cache)
    target["updates"] = format_updates(notices.updates) or None

    changes: dict[str, str | None] = {}
    for name, value in target.items():
        if source.raw(name) != value:
            changes[name] = value
    record = decision.hashes.format()
    if changes or decision.entry_type or not was_crossref:
        changes["metadatasource"] = metadatasource_value(today)
    if source.raw(FIELDHASHES) != record:
        changes.setdefault("metadatasource", metadatasource_value(today))
        changes[FIELDHASHES] = record
    plan = EntryPlan(source.key, changes, decision.entry_type)
    plan.kept = decision.kept
    return plan


# ---------------------------------------------------------------------------
# citekeys


def citekey_base(work: MappedWork) -> str:
    """First author's family name (or an organisation's initials) + year,
    lower-case ASCII: ``sederberg2022``, ``who2020`` (the rule is
    :func:`evidence.bib.citekeys.citekey_base`, shared with the printed list)."""
    first = work.authors[0] if work.authors else None
    return citekeys.citekey_base(family=first.family if first else None,
                                 organisation=first.name if first else None,
                                 title=work.fields.get("title", ""),
                                 year=work.fields.get("year"))


def new_entry_plan(work: MappedWork, fetched: Fetched, key: str, today: str) -> NewEntryPlan:
    values = dict(work.fields)
    if fetched.requested != work.doi:
        values["doialias"] = fetched.requested
    values["metadatasource"] = metadatasource_value(today)
    ordered = [(k, values[k]) for k in FIELD_ORDER if k in values]
    ordered += [(k, v) for k, v in values.items() if k not in FIELD_ORDER]
    written = {k: v for k, v in ordered if k in BIBLIOGRAPHIC_FIELDS}
    record = hashes_of(written, work.entry_type).format()
    if record:
        ordered.append((FIELDHASHES, record))
    return NewEntryPlan(key, work.entry_type, ordered)


# ---------------------------------------------------------------------------
# the batch


class _Writer:
    """Applies plans to references.bib and writes them, in small groups."""

    def __init__(self, refs: References):
        self.refs = refs
        self.pending: list = []
        self.last = time.monotonic()

    def add(self, plan) -> None:
        self.pending.append(plan)
        if len(self.pending) >= FLUSH_ENTRIES or time.monotonic() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            if self._on_disk() != self.refs.text:
                self._reload()  # edited by someone else meanwhile: build on their version
            self._apply_pending()
            self.refs.write()
            self.pending.clear()
        self.last = time.monotonic()

    def _apply_pending(self) -> None:
        for plan in list(self.pending):
            try:
                plan.apply(self.refs)
            except EvidenceError as exc:  # a value references.bib cannot hold
                self.pending.remove(plan)
                if plan.outcome is not None:
                    plan.outcome.status = "failed"
                    plan.outcome.message = f"{plan.key}: not written: {exc}"

    def recover(self) -> None:
        """After an interruption: from the file on disk (old or new, never half),
        apply the complete plans not yet written, and write."""
        self._reload()
        self._apply_pending()
        self.refs.write()
        self.pending.clear()

    def _on_disk(self) -> str | None:
        try:
            return self.refs.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def _reload(self) -> None:
        fresh = load_references(self.refs.path, validate=False)
        self.refs.__dict__.update(fresh.__dict__)


def _run_batch(refs: References, client: CrossrefClient, dois: list[str],
               consume: Callable[[str, Fetched | CrossrefError], object | None], *,
               ordered: bool, label: str, show_progress: bool, console=None) -> None:
    """Fetch ``dois`` in parallel; ``consume`` turns each result into plans
    (or None); plans are written in groups. Runs in the main thread.

    The workers are a few daemon threads (as many as the concurrency limit
    allows, at least the polite pool's 3; the client's limiter is what bounds
    the requests in flight). Daemon threads, so that after Ctrl-C the process
    ends at once instead of waiting for requests in flight to time out.
    """
    writer = _Writer(refs)
    if not dois:
        return
    cancel = threading.Event()
    results: queue.SimpleQueue = queue.SimpleQueue()
    workers = _start_workers(client, dois, cancel, results)
    merger = _Merger(consume, writer, ordered)
    progress = _progress(len(dois), label, show_progress and len(dois) > PROGRESS_ABOVE, console)
    try:
        with progress as bar:
            _receive_all(results, workers, len(dois), merger, bar, label)
        writer.flush()
    except BaseException:
        cancel.set()
        merger.salvage(results)
        writer.recover()
        raise


def _start_workers(client: CrossrefClient, dois: list[str], cancel: threading.Event,
                   results: queue.SimpleQueue) -> list[threading.Thread]:
    """Daemon threads that fetch the DOIs and put (index, doi, result) on ``results``,
    a result being the record or the error, until every DOI is taken or ``cancel`` set."""
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    for index, doi in enumerate(dois):
        tasks.put((index, doi))

    def work() -> None:
        while not cancel.is_set():
            try:
                index, doi = tasks.get_nowait()
            except queue.Empty:
                return
            result: Fetched | CrossrefError
            try:
                result = client.fetch(doi, cancel)
            except CrossrefError as exc:
                result = exc
            except Cancelled:
                return
            except Exception as exc:  # noqa: BLE001 - a bug must not lose the batch
                result = CrossrefError(doi, f"{doi}: unexpected error: {exc!r}")
            results.put((index, doi, result))

    count = min(len(dois), max(client.max_concurrency, POLITE_POOL[1]))
    workers = [threading.Thread(target=work, name=f"crossref-{n}", daemon=True)
               for n in range(count)]
    for worker in workers:
        worker.start()
    return workers


def _receive_all(results: queue.SimpleQueue, workers: list[threading.Thread], total: int,
                 merger: _Merger, bar, label: str) -> None:
    """Hand each of the ``total`` results to the merger as it arrives, advancing the bar."""
    task = bar.add_task(label, total=total) if bar is not None else None
    received = 0
    while received < total:
        try:
            item = results.get(timeout=0.2)  # a timeout keeps Ctrl-C responsive
        except queue.Empty:
            if not any(w.is_alive() for w in workers) and results.empty():
                break  # every worker ended (cannot happen short of a crash)
            continue
        received += 1
        merger.receive(*item)
        if bar is not None:
            bar.advance(task)


class _Merger:
    """Turns results into plans for the writer: as they arrive, or (``ordered``) in
    the order of the DOIs, holding those that arrive early."""

    def __init__(self, consume: Callable[[str, Fetched | CrossrefError], object | None],
                 writer: _Writer, ordered: bool):
        self.consume = consume
        self.writer = writer
        self.ordered = ordered
        self.waiting: dict[int, tuple[str, object]] = {}  # received, not yet merged
        self.next_index = 0

    def take(self, doi: str, result) -> None:
        plans = self.consume(doi, result) or []
        for plan in plans if isinstance(plans, list) else [plans]:
            self.writer.add(plan)

    def receive(self, index: int, doi: str, result) -> None:
        if not self.ordered:
            self.take(doi, result)
            return
        self.waiting[index] = (doi, result)
        while self.next_index in self.waiting:
            self.take(*self.waiting.pop(self.next_index))
            self.next_index += 1

    def salvage(self, results: queue.SimpleQueue) -> None:
        """After an interruption, keep what was fetched: results received or
        arriving, not yet merged."""
        while True:
            try:
                index, doi, result = results.get_nowait()
            except queue.Empty:
                break
            self.waiting[index] = (doi, result)
        for index in sorted(self.waiting):
            with contextlib.suppress(Exception):  # stopping anyway; the cache keeps it
                self.take(*self.waiting[index])


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(total: int, label: str, enabled: bool, console):
    """A progress bar on stderr, only when it is a terminal: never in a pipe,
    a log or a test's captured output."""
    if not enabled:
        return _NoProgress()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = console or Console(stderr=True)
    if not console.is_terminal:
        return _NoProgress()
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console, transient=True)


def resolve_references(refs: References, client: CrossrefClient, sources: list[Source], *,
                       today: str | None = None, show_progress: bool = True,
                       console=None, force: frozenset[str] = frozenset()) -> BatchReport:
    """Fetch and merge Crossref metadata for ``sources`` (entries of ``refs``);
    ``force``: fields (lower case) that take Crossref's value even where an editor's
    value stands (:func:`evidence.crossref.ownership.force_fields` checks the names)."""
    today = today or date.today().isoformat()
    keys_by_doi: dict[str, list[str]] = {}
    outcomes: dict[str, Outcome] = {}
    for source in sources:
        if source.doi is None:  # select_entries chooses none such; said as it says it
            outcomes[source.key] = Outcome(doi=None, key=source.key, message=(
                f"{source.key}: has no (valid) doi field; add the DOI to resolve it"))
            continue
        keys_by_doi.setdefault(source.doi, []).append(source.key)

    def consume(doi: str, result):
        keys = keys_by_doi.get(doi, [])
        if isinstance(result, CrossrefError):
            for key in keys:
                outcomes[key] = Outcome(doi=doi, key=key, message=str(result), error=result)
            return None
        plans = []
        for key in keys:
            outcome, plan = _merge(refs, key, doi, result, today, force)
            outcomes[key] = outcome
            if plan is not None:
                plans.append(plan)
        return plans

    requests_before = client.requests
    _run_batch(refs, client, list(keys_by_doi), consume, ordered=False,
               label="Resolving DOIs", show_progress=show_progress, console=console)
    ordered = [outcomes[s.key] for s in sources if s.key in outcomes]
    return BatchReport(ordered, client.requests - requests_before)


def _merge(refs: References, key: str, doi: str, fetched: Fetched, today: str,
           force: frozenset[str] = frozenset()):
    source = refs.get(key)
    if source is None:
        return Outcome(doi=doi, key=key, message=f"{key}: no longer in references.bib"), None
    try:
        work = map_work(fetched.message)
    except ValueError as exc:
        return Outcome(doi=doi, key=key, message=f"{doi}: {exc}"), None
    canonical = work.doi if work.doi != doi else None
    if canonical:
        other = refs.doi_index().key(work.doi)
        if other is not None and other != key:
            return Outcome(doi=doi, key=key, canonical=canonical, message=(
                f"{key}: {doi} is an alias of {work.doi}, which is already the DOI of "
                f"{other}; one work, one entry: merge the two")), None
    plan = plan_update(source, work, fetched, today, force=force)
    status = "updated" if plan.changes else "unchanged"
    changed = [n for n in plan.changes if n not in ("metadatasource", FIELDHASHES)]
    if plan.entry_type:
        changed.insert(0, f"type {source.entry_type}→{plan.entry_type}")
    outcome = Outcome(doi=doi, key=key, status=status, changed=changed, updates=work.updates,
                      canonical=canonical, kept=plan.kept)
    plan.outcome = outcome
    return outcome, (plan if plan.changes or plan.entry_type else None)


def add_dois(refs: References, client: CrossrefClient, dois: list[str], *,
             today: str | None = None, show_progress: bool = True,
             console=None) -> BatchReport:
    """Resolve new DOIs and append them as entries with generated citekeys.
    A DOI already in references.bib (as doi or doialias) is reported, not added."""
    today = today or date.today().isoformat()
    known = DoiIndex.of(refs.sources)  # a copy: the DOIs of this batch are noted in it
    taken = {s.key for s in refs.sources}
    outcomes: list[Outcome] = []
    slots: dict[str, int] = {}
    to_fetch: list[str] = []
    for raw in dois:
        try:
            doi = normalise_doi(raw)
        except InvalidDOI as exc:
            outcomes.append(Outcome(doi=raw, message=str(exc)))
            continue
        present = known.key(doi)
        if present is not None:
            outcomes.append(Outcome(doi=doi, key=present, status="present",
                                    message=f"{doi} is already in references.bib as {present}"))
        elif doi not in slots:
            slots[doi] = len(outcomes)
            outcomes.append(Outcome(doi=doi))
            to_fetch.append(doi)

    def consume(doi: str, result):
        index = slots[doi]
        if isinstance(result, CrossrefError):
            outcomes[index] = Outcome(doi=doi, message=str(result), error=result)
            return None
        try:
            work = map_work(result.message)
        except ValueError as exc:
            outcomes[index] = Outcome(doi=doi, message=f"{doi}: {exc}")
            return None
        canonical = work.doi if work.doi != doi else None
        present = known.key(work.doi)
        if present is not None:
            outcomes[index] = Outcome(
                doi=doi, key=present, status="present", canonical=canonical,
                message=f"{doi} is already in references.bib as {present}"
                + (f" (it is an alias of {work.doi})" if canonical else ""))
            return None
        key = unique_citekey(citekey_base(work), taken)
        taken.add(key)
        known.note(work.doi, key)
        known.note(doi, key)
        outcomes[index] = Outcome(doi=doi, key=key, status="added", canonical=canonical,
                                  updates=work.updates)
        plan = new_entry_plan(work, result, key, today)
        plan.outcome = outcomes[index]
        return plan

    requests_before = client.requests
    _run_batch(refs, client, to_fetch, consume, ordered=True, label="Adding DOIs",
               show_progress=show_progress, console=console)
    return BatchReport(outcomes, client.requests - requests_before)


# ---------------------------------------------------------------------------
# the commands (thin wrappers in evidence/cli.py call these)


def make_client(*, mailto: str | None, offline: bool, refresh: bool,
                cache_dir: Path | None = None, timeout: float | None = None) -> CrossrefClient:
    """The client of a command: base URL from EVIDENCE_CROSSREF_URL, time-out from
    ``timeout`` (``--timeout``), else EVIDENCE_TIMEOUT, else 30 s."""
    from evidence.crossref.cache import ResponseCache
    from evidence.crossref.client import base_url_from_env, check_timeout, timeout_from_env

    if offline and refresh:
        raise EvidenceError("--offline and --refresh exclude each other: --refresh fetches "
                            "everything again, --offline fetches nothing")
    base_url = base_url_from_env()
    seconds = check_timeout(timeout, "--timeout") if timeout is not None else timeout_from_env()
    return CrossrefClient(base_url, mailto, offline=offline, refresh=refresh, timeout=seconds,
                          cache=ResponseCache.for_base_url(base_url, cache_dir))


def run_resolve(project: Path, names: list[str], *, everything: bool, refresh: bool,
                offline: bool, mailto: str | None, echo: Callable[[str], None],
                show_progress: bool = True, timeout: float | None = None,
                pubmed: bool = True, force_fields: Iterable[str] = (),
                full: bool = False) -> int:
    force = checked_force_fields(force_fields)
    refs = load_references(Path(project) / "references.bib")
    client = make_client(mailto=mailto, offline=offline, refresh=refresh, timeout=timeout)
    pubmed_client = (make_pubmed_client(email=mailto, offline=offline, refresh=refresh)
                     if pubmed else None)
    sources, problems = select_entries(refs, list(names), everything=everything)
    report = BatchReport(problems)
    if not sources and not problems:
        echo("Nothing to resolve: every entry with a DOI is resolved from Crossref "
             "(use --all to resolve them again, --refresh to fetch anew).")
        status = 0
    else:
        report = resolve_references(refs, client, sources, show_progress=show_progress,
                                    force=force)
        report.outcomes[:0] = problems
        status = print_report(report, echo, verb="resolved", full=full)
    if pubmed_client is not None:  # an enrichment: it never changes the exit status
        resolved = [o.key for o in report.outcomes
                    if o.key and o.status in ("updated", "unchanged")]
        for line in record_after_resolve(refs.path, resolved, pubmed_client,
                                         also_missing=not names).lines():
            echo(line)
    return status


def run_add(project: Path, dois: list[str], *, offline: bool, mailto: str | None,
            echo: Callable[[str], None], show_progress: bool = True,
            timeout: float | None = None, pubmed: bool = True) -> int:
    """``evidence add DOI...`` (``--from-guide`` and ``--from``: :mod:`evidence.intake.add`).

    The sources added are looked up in PubMed too, as ``resolve`` does, so their
    publication types are there for ``check`` from the start."""
    refs = load_references(Path(project) / "references.bib")
    if not dois:
        raise EvidenceError("give one or more DOIs, --from-guide GUIDE or --from FILE")
    client = make_client(mailto=mailto, offline=offline, refresh=False, timeout=timeout)
    report = add_dois(refs, client, list(dois), show_progress=show_progress)
    status = print_report(report, echo, verb="added", full=True)  # add has no --full
    added = [o.key for o in report.outcomes if o.key and o.status == "added"]
    if pubmed and added:  # an enrichment: it never changes the exit status
        pubmed_client = make_pubmed_client(email=mailto, offline=offline, refresh=False)
        for line in record_after_resolve(refs.path, added, pubmed_client,
                                         also_missing=False).lines():
            echo(line)
    return status


def print_report(report: BatchReport, echo: Callable[[str], None], *, verb: str,
                 full: bool = False) -> int:
    """The report of a batch; beyond a screenful of lines, summarised by kind
    (evidence/reporting/summarise.py) unless ``full``."""
    lines: list[ReportLine] = []
    for o in report.outcomes:
        alias = f" (alias of {o.canonical})" if o.canonical else ""
        if o.status == "updated":
            lines.append(ReportLine("updated", f"updated {o.key}{alias}: "
                                    f"{', '.join(o.changed) or 'metadatasource'}"))
        elif o.status == "added":
            lines.append(ReportLine("added", f"added {o.key}: {o.doi}{alias}"))
        elif o.status == "present":
            lines.append(ReportLine("present", f"present: {o.message}"))
        elif o.status == "skipped":
            lines.append(ReportLine("skipped", f"skipped: {o.message}"))
        for value in o.kept:  # one line each: the editor's value and Crossref's
            lines.append(ReportLine("kept", f"{o.key}: {value.describe(limit=70)}"))
        for u in o.updates:
            if o.status in ("updated", "unchanged", "added"):
                when = f" on {u.updated}" if u.updated else ""
                by = f" (via {u.origin})" if u.origin else ""
                notice = f" {u.notice_doi}" if u.notice_doi else ""
                severity = "WARNING" if u.withdraws else "note"
                extra = ": it no longer supports any claim" if u.withdraws else ""
                lines.append(ReportLine(
                    "withdrawing notices" if u.withdraws else "notices",
                    f"{severity}: {o.key} has {with_article(u.label.lower())}{notice}{when}{by}{extra}"))
    for text in report_lines(lines, full=full):
        echo(text)
    done = sum(1 for o in report.outcomes if o.status in ("updated", "unchanged", "added"))
    summary = (f"{done} {verb}, {report.count('updated')} updated, "
               f"{report.count('unchanged')} unchanged"
               if verb == "resolved" else f"{report.count('added')} added, "
               f"{report.count('present')} already present")
    echo(f"{summary}, {len(report.failures)} failed; {report.requests} request"
         f"{'s' if report.requests != 1 else ''} to Crossref.")
    kept = sum(len(o.kept) for o in report.outcomes)
    if kept:
        echo(f"{kept} field{'s' if kept != 1 else ''} kept as the editor wrote "
             f"{'them' if kept != 1 else 'it'}; `evidence resolve --force-field NAME` takes "
             "Crossref's value.")
    if report.failures:
        echo("Failed:")
        failures = [ReportLine(_failure_kind(o), o.message or "") for o in report.failures]
        for text in report_lines(failures, full=full):
            echo(f"  {text}")
        return 1
    return 0


_FAILURE_KINDS = {DOINotFound: "not registered", InvalidDOIError: "invalid DOI",
                  BadResponse: "bad response", NotCached: "not cached",
                  CrossrefUnavailable: "Crossref unavailable"}


def _failure_kind(outcome: Outcome) -> str:
    """What kind of failure, for the summary: by the lookup's error."""
    if outcome.error is None:
        return "failed"
    return next((kind for cls, kind in _FAILURE_KINDS.items()
                 if isinstance(outcome.error, cls)), "failed")
