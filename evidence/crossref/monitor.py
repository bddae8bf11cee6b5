"""``evidence resolve --updates``: the nightly look at every source's update notices.

For every source with a DOI, Crossref is asked anew (never the cache) which
notices it lists for the work: its ``updated-by`` (publisher and Retraction
Watch notices, with Retraction Watch's record ids), read for many works at a
time with ``/works?filter=doi:A,doi:B,…&select=DOI,updated-by`` (BATCH DOIs per
request, under the client's rate and concurrency limits). A DOI the list does
not return (an alias, a DOI the filter cannot hold) is asked on its own
through ``/works/{doi}``, which follows aliases. What Crossref lists is merged
into each entry's ``updates`` field (:mod:`evidence.crossref.notices`): only
that field is ever written, and only where it changed.

The run says what is new since the last one (the field is the memory: new
notices, reversals, notices listed again) and exits 1 when a lookup failed,
else 3 when a source that a claim cites gained a retraction, withdrawal or
removal, else 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from evidence.bib.doi import doi_or_none
from evidence.bib.references import References, Source, format_updates, load_references
from evidence.crossref.client import POLITE_POOL, CrossrefClient
from evidence.crossref.errors import Cancelled, CrossrefError
from evidence.crossref.mapping import updates_of
from evidence.crossref.notices import (
    NoticeChanges,
    confirm_reversals,
    describe,
    merge_notices,
    with_article,
)
from evidence.errors import EvidenceError
from evidence.scale import WITHDRAWING_UPDATES

BATCH = 50  # DOIs per list request: a URL of about 2 kB
SELECT = ["DOI", "updated-by"]
EXIT_FAILED = 1
EXIT_BLOCKING = 3  # 2 is click's usage error

# Another enrichment of the same run (PubMed's publication types, say): given the
# references (already holding the notices written) and the sources checked, it
# does its own work, says what it did through ``echo``, and returns how many of
# its lookups failed (counted as errors: exit 1).
Enrichment = Callable[[References, list[Source], Callable[[str], None]], int]


@dataclass
class Listed:
    """What Crossref lists now for one DOI: its notices, or why it could not be asked."""

    doi: str
    updated_by: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class SourceChange:
    key: str
    doi: str
    changes: NoticeChanges


@dataclass
class UpdatesReport:
    checked: int  # sources asked about
    requests: int
    changed: list[SourceChange] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    enrichment_failures: int = 0  # lookups of other enrichments that failed (they said why)

    def blocking(self) -> list[tuple[str, str]]:
        """(citekey, notice) of every retraction, withdrawal or removal new this run."""
        return [(c.key, describe(u)) for c in self.changed for u in c.changes.new if u.withdraws]


# ---------------------------------------------------------------------------
# asking Crossref


def batches(dois: list[str], size: int = BATCH) -> list[list[str]]:
    """DOIs in groups for one list request each; a DOI holding a comma (which
    separates filters) goes alone, to be asked through /works/{doi}."""
    plain = [d for d in dois if "," not in d]
    groups = [plain[i:i + size] for i in range(0, len(plain), size)]
    return groups + [[d] for d in dois if "," in d]


def list_notices(client: CrossrefClient, dois: list[str],
                 cancel: threading.Event | None = None) -> dict[str, Listed]:
    """What Crossref lists now for each DOI, asked in batches in a few threads."""
    cancel = cancel or threading.Event()
    found: dict[str, Listed] = {}
    lock = threading.Lock()

    def ask(group: list[str]) -> None:
        listed = _ask_batch(client, group, cancel) if "," not in group[0] else {}
        for doi in group:
            if doi not in listed:
                listed[doi] = _ask_one(client, doi, cancel)
        with lock:
            found.update(listed)

    workers = max(client.max_concurrency, POLITE_POOL[1])  # the limiter bounds the requests
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossref-updates")
    try:
        for future in [pool.submit(ask, group) for group in batches(dois)]:
            future.result()
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=not cancel.is_set(), cancel_futures=True)
    return found


def _ask_batch(client: CrossrefClient, group: list[str], cancel) -> dict[str, Listed]:
    """One list request for ``group``; the DOIs it does not return are left out."""
    more = f" and {len(group) - 1} more" if len(group) > 1 else ""
    label = f"updates of {group[0]}{more}"
    try:
        items = client.list_works([f"doi:{d}" for d in group], select=SELECT,
                                  rows=min(1000, 2 * len(group)), expected=set(group),
                                  label=label, cancel=cancel)
    except CrossrefError as exc:
        return {d: Listed(d, error=str(exc)) for d in group}
    listed: dict[str, Listed] = {}
    for item in items:
        doi = doi_or_none(item["DOI"])
        if doi is not None:
            entry = listed.setdefault(doi, Listed(doi))
            entry.updated_by += [u for u in item.get("updated-by") or [] if isinstance(u, dict)]
    return listed


def _ask_one(client: CrossrefClient, doi: str, cancel) -> Listed:
    """``/works/{doi}`` asked anew (the client of this run does not read its cache)."""
    try:
        fetched = client.fetch(doi, cancel)
    except Cancelled:
        raise
    except CrossrefError as exc:
        return Listed(doi, error=str(exc))
    return Listed(doi, [u for u in fetched.message.get("updated-by") or []
                        if isinstance(u, dict)])


# ---------------------------------------------------------------------------
# recording


def record_notices(refs: References, listed: dict[str, Listed], keys_by_doi: dict[str, list[str]],
                   today: str) -> list[SourceChange]:
    """Merge what Crossref lists into each entry's ``updates``; only that field changes."""
    changed = []
    for doi, keys in keys_by_doi.items():
        answer = listed.get(doi)
        if answer is None or answer.error is not None:
            continue
        observed = updates_of({"DOI": doi, "updated-by": answer.updated_by})
        for key in keys:
            source = refs.get(key)
            if source is None:
                continue
            changes = merge_notices(source.updates, observed, today)
            value = format_updates(changes.updates) or None
            if value != (source.raw("updates") or None):
                refs.set_field(key, "updates", value)
            if changes.anything:
                changed.append(SourceChange(key, doi, changes))
    return changed


def check_updates(refs: References, client: CrossrefClient, sources: list[Source], *,
                  today: str | None = None) -> UpdatesReport:
    """Ask Crossref for the notices of ``sources`` and write them into references.bib
    (once, atomically, on the file as it is on disk then)."""
    today = today or date.today().isoformat()
    keys_by_doi: dict[str, list[str]] = {}
    for source in sources:
        if source.doi:
            keys_by_doi.setdefault(source.doi, []).append(source.key)
    requests_before = client.requests
    listed = list_notices(client, list(keys_by_doi))
    if _on_disk(refs) != refs.text:  # edited meanwhile: record on the editor's version
        refs.__dict__.update(load_references(refs.path, validate=False).__dict__)
    changed = record_notices(refs, listed, keys_by_doi, today)
    refs.write()
    failures = [listed[d].error or "" for d in keys_by_doi if listed[d].error]
    return UpdatesReport(len(keys_by_doi), client.requests - requests_before, changed, failures)


def _on_disk(refs: References) -> str:
    try:
        return refs.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


# ---------------------------------------------------------------------------
# the commands


def cited_keys(project: Path) -> set[str] | None:
    """Citekeys some claim links to; None when the claims cannot be read."""
    from evidence.project import load_project

    try:
        loaded = load_project(project, strict=False)
    except EvidenceError:
        return None
    return {link.source for guide in loaded.guides for claim in guide.claims
            for link in claim.evidence}


def run_updates(project: Path, names: list[str], *, mailto: str | None,
                timeout: float | None, echo: Callable[[str], None],
                enrichments: Sequence[Enrichment] = (), today: str | None = None) -> int:
    """``evidence resolve --updates [CITEKEY|DOI...]``: every source with a DOI, or those named."""
    from evidence.crossref.resolve import make_client, select_entries

    refs = load_references(Path(project) / "references.bib")
    client = make_client(mailto=mailto, offline=False, refresh=True, timeout=timeout)
    sources, problems = select_entries(refs, list(names), everything=True)
    report = check_updates(refs, client, sources, today=today)
    report.failures[:0] = [o.message or "" for o in problems if o.failed]
    # The single place where further enrichments of the nightly run are called.
    for enrich in enrichments:
        report.enrichment_failures += enrich(refs, sources, echo)
    return print_updates(report, project, echo)


def print_updates(report: UpdatesReport, project: Path, echo: Callable[[str], None]) -> int:
    """The summary of a run (what is new since the last one) and its exit code."""
    cited = cited_keys(project) if report.blocking() else set()
    for change in report.changed:
        for update in change.changes.new:
            cite = ""
            if update.withdraws:
                cite = (" (cited by a claim: it no longer supports it)"
                        if cited is None or change.key in cited else " (cited by no claim)")
            echo(f"new: {change.key} has {with_article(describe(update))}{cite}")
        for update in change.changes.reversed:
            counts = ("counts as retracted" if update.update_type in WITHDRAWING_UPDATES
                      else "counts")
            effect = (f"it still {counts} until an editor confirms the reversal: "
                      f"evidence resolve --confirm-reversal {change.key}")
            echo(f"reversed: {change.key}: Crossref no longer lists the {describe(update)} "
                 f"(found gone on {update.reversed}); {effect}")
        for update in change.changes.restored:
            echo(f"listed again: {change.key}: the {describe(update)} marked reversed is "
                 "listed again by Crossref; it counts again")
    tally = [(sum(len(c.changes.new) for c in report.changed), "new notice"),
              (sum(len(c.changes.reversed) for c in report.changed), "reversal"),
              (sum(len(c.changes.restored) for c in report.changed), "listed again")]
    news = ", ".join(f"{n} {label}{'s' if n != 1 and label != 'listed again' else ''}"
                     for n, label in tally if n) or "nothing new since the last run"
    echo(f"Checked the notices of {report.checked} DOI{'s' if report.checked != 1 else ''} "
         f"in {report.requests} request{'s' if report.requests != 1 else ''} to Crossref: "
         f"{news}; {len(report.failures)} failed.")
    if report.failures:
        echo("Failed:")
        for failure in report.failures:
            echo(f"  {failure}")
    if report.failures or report.enrichment_failures:
        return EXIT_FAILED
    if any(cited is None or key in cited for key, _ in report.blocking()):
        return EXIT_BLOCKING
    return 0


def run_confirm_reversal(project: Path, keys: list[str], *, echo: Callable[[str], None],
                         today: str | None = None) -> int:
    """``evidence resolve --confirm-reversal CITEKEY...``: an editor's confirmation that
    the reversed notices of these entries are reversed; they count no more."""
    today = today or date.today().isoformat()
    refs = load_references(Path(project) / "references.bib")
    failed = False
    for key in keys:
        source = refs.get(key)
        if source is None:
            echo(f"{key}: not a citekey of references.bib")
            failed = True
            continue
        items, confirmed = confirm_reversals(source.updates, today)
        if not confirmed:
            echo(f"{key}: no reversed notice awaits confirmation (`evidence resolve --updates` "
                 "marks a notice Crossref no longer lists as reversed)")
            failed = True
            continue
        refs.set_field(key, "updates", format_updates(items))
        for update in confirmed:
            echo(f"confirmed: {key}: the {describe(update)} is reversed (seen "
                 f"{update.reversed}); it counts no more")
    refs.write()
    return EXIT_FAILED if failed else 0
