"""``evidence add --from FILE`` and ``evidence add --from-guide GUIDE``.

``--from`` merges a reference manager's export into references.bib
(:mod:`.merge`). ``--from-guide`` adds the DOIs printed in a guide's reference
list: from Crossref, and from the printed citation itself for each DOI Crossref
cannot be reached for, or for every one with ``--offline``. Either way nothing
but the new entries changes in references.bib, written once, atomically; a file
that cannot be read changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from evidence.bib.printed import PrintedCitation, guide_path, parse_printed_citations
from evidence.bib.references import UnwritableValue, load_references, validate_references
from evidence.crossref.errors import CrossrefUnavailable
from evidence.crossref.resolve import BatchReport, add_dois, make_client, print_report
from evidence.errors import EvidenceError
from evidence.guide.document import load_guide
from evidence.guide.reference_list import reference_list
from evidence.intake.formats import read_entries
from evidence.intake.formats.printed import metadatasource_printed, printed_entry
from evidence.intake.merge import MergePlan, plan_merge

Echo = Callable[[str], None]


def metadatasource_import(today: str) -> str:
    return f"import {today}"


def add_from_file(project: Path, path: Path, *, echo: Echo, today: str | None = None) -> int:
    """Merge the export at ``path`` into references.bib; print what was added and what not."""
    today = today or date.today().isoformat()
    bib = Path(project) / "references.bib"
    if Path(path).resolve() == bib.resolve():
        raise EvidenceError(f"{path} is references.bib itself: give the file to merge into it")
    refs = load_references(bib)
    reader, entries = read_entries(Path(path))
    plan = plan_merge(refs, entries, metadatasource=metadatasource_import(today))
    try:
        plan.apply(refs)
    except UnwritableValue as exc:  # nothing is written: the file is all or nothing
        raise EvidenceError(f"{path}: {exc}; references.bib was not changed") from None
    problems = validate_references(refs)  # what loaded clean: only a new entry can fail
    if problems:
        raise EvidenceError(f"{path}: the new entries would not load: "
                            + "; ".join(f"{p.item}: {p.message}" for p in problems)
                            + "; references.bib was not changed")
    refs.write()
    for decision in plan.decisions:
        where = f"{path.name} {decision.entry.where}"
        if decision.status == "added":
            kept = "" if not decision.own_key_taken else (
                f" (its key {decision.entry.key} is taken in references.bib, so it got the "
                "project's)")
            echo(f"added {decision.key}: {decision.entry.doi or 'no DOI'}, from {where}{kept}")
        else:
            echo(f"present: {where} is {decision.key} of references.bib ({decision.detail})")
    dropped = Counter(name for d in plan.added for name in d.entry.dropped)
    if dropped:
        echo("not kept (fields references.bib does not hold): "
             + ", ".join(f"{name} ({count})" for name, count in sorted(dropped.items())))
    present = sum(1 for d in plan.decisions if d.status != "added")
    echo(f"{len(plan.added)} added, {present} already present, from {len(entries)} "
         f"{reader.name} entr{'y' if len(entries) == 1 else 'ies'} of {path}.")
    if plan.added:
        echo(f"New entries have metadatasource = {{{metadatasource_import(today)}}} and "
             "studydesign only where the file gave one: run `evidence resolve` to check them "
             "against Crossref, and grade each source.")
    return 0


@dataclass
class GuideAdd:
    """What ``add --from-guide`` did."""

    crossref: BatchReport | None  # None with --offline: nothing was asked
    printed: MergePlan = field(default_factory=MergePlan)
    unreachable: list[str] = field(default_factory=list)  # why Crossref could not be had
    partial: list[tuple[PrintedCitation, str]] = field(default_factory=list)  # (citation, key)
    without_doi: list[PrintedCitation] = field(default_factory=list)


def add_from_guide(project: Path, guide: str, *, dois: list[str] | None = None, offline: bool,
                   mailto: str | None, echo: Echo, today: str | None = None,
                   client=None, show_progress: bool = True,
                   timeout: float | None = None) -> int:
    """Add the printed DOIs references.bib lacks (and ``dois``); print what happened."""
    today = today or date.today().isoformat()
    refs = load_references(Path(project) / "references.bib")
    path = guide_path(Path(project), guide)
    found = reference_list(load_guide(path.parent.name, path))
    if found is None:
        raise EvidenceError(f"{path}: no reference list, so no printed DOIs to add; the list "
                            "goes under a heading such as '## Kilder' or '## References'")
    citations = parse_printed_citations(found.text, first_line=found.first_line)
    index = refs.doi_index()
    missing: dict[str, PrintedCitation] = {}
    for citation in citations:
        if citation.doi and citation.doi not in index:
            missing.setdefault(citation.doi, citation)
    result = GuideAdd(crossref=None,
                      without_doi=[c for c in citations if c.doi is None])
    extra = [d for d in dois or [] if d not in missing]
    if not missing and not extra:
        echo(f"Every DOI printed in the reference list of {path} is in references.bib.")
        _print_without_doi(result, echo)
        return 0
    fallback: list[PrintedCitation] = list(missing.values()) if offline else []
    if extra or not offline:
        client = client or make_client(mailto=mailto, offline=offline, refresh=False,
                                       timeout=timeout)
        asked = extra + ([] if offline else list(missing))
        result.crossref = add_dois(refs, client, asked, today=today, show_progress=show_progress)
        kept = []
        for outcome in result.crossref.outcomes:
            if isinstance(outcome.error, CrossrefUnavailable) and outcome.doi in missing:
                fallback.append(missing[outcome.doi])
                result.unreachable.append(str(outcome.error))
            else:
                kept.append(outcome)
        result.crossref.outcomes = kept
    if fallback:
        fallback.sort(key=lambda c: c.number)  # keys are given in list order, as stubs name them
        result.printed = plan_merge(refs, [printed_entry(c, today) for c in fallback],
                                    keep_own_keys=False)
        result.printed.apply(refs)
        refs.write()
        keys = {d.entry.doi: d.key for d in result.printed.added if d.key}
        result.partial = [(c, keys[c.doi]) for c in fallback
                          if c.doi in keys and [p for p in c.problems if p != "no DOI printed"]]
    return _print_guide_add(result, echo, offline=offline, today=today)


def _print_guide_add(result: GuideAdd, echo: Echo, *, offline: bool, today: str) -> int:
    status = 0
    if result.crossref is not None and (result.crossref.outcomes or not result.printed.added):
        status = print_report(result.crossref, echo, verb="added", full=True)
    if result.unreachable:
        echo(f"Crossref could not be reached for {len(result.unreachable)} DOI"
             f"{'s' if len(result.unreachable) != 1 else ''} ({result.unreachable[0]}); "
             "added from the printed citations instead:")
    elif offline and result.printed.decisions:
        echo("--offline: added from the printed citations, without asking Crossref:")
    for decision in result.printed.decisions:
        if decision.status == "added":
            echo(f"added {decision.key}: {decision.entry.doi}, from the printed "
                 f"{decision.entry.where}")
        else:
            echo(f"present: the printed {decision.entry.where} is {decision.key} of "
                 f"references.bib ({decision.detail})")
    for citation, key in result.partial:
        problems = "; ".join(p for p in citation.problems if p != "no DOI printed")
        echo(f"warning: citation {citation.number} was read only in part ({problems}): check "
             f"{key} in references.bib")
    _print_without_doi(result, echo)
    added = len(result.printed.added)
    if added:
        echo(f"{added} added from the printed list, with metadatasource = "
             f"{{{metadatasource_printed(today)}}} and no studydesign: `evidence resolve` "
             "upgrades them from Crossref when it can be reached (their citekeys stay), and "
             "an editor grades each source.")
    return status


def _print_without_doi(result: GuideAdd, echo: Echo) -> None:
    for citation in result.without_doi:
        echo(f"note: citation {citation.number} (line {citation.line}) prints no DOI, so it is "
             "not added: add its DOI to the list, or its entry with --from FILE")
