"""What an error takes down: a build with problems publishes everything else.

The reach of each problem (docs/DESIGN.md, "What an error takes down"):

- a quote not found or ambiguous: that claim, published as orphaned at the
  place of its last good anchoring;
- an unknown citekey, a bad type or a bad field value in a claim: that part,
  left out (the loader and the rows skip it); the rest of the claim is built;
- YAML syntax, an unreadable guide.md, a claim id twice in one claims.yaml:
  that guide, shown from its last good files (``guides.stale``), re-graded
  against the current sources; absent when no earlier build holds it;
- a claim id used in two guides: the later guide's claim (by guide id);
- a bad entry in references.bib: that source, and links to it are unknown;
- references.bib unreadable: the whole build (an InputError, as always).

:func:`apply_reach` turns a leniently loaded project into the project the
build writes, with the build's own findings about what it kept or left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evidence.check.finding import Finding, relative
from evidence.claims.loader import ClaimsFile, GuideMeta, parse_claims
from evidence.database.previous import GoodGuide, LastGood
from evidence.errors import Problem
from evidence.project import CLAIMS_DIR, CLAIMS_FILE, GUIDE_FILE, GuideData, Project, guide_reading


@dataclass
class Reach:
    """Every error the build carries (the project's problems and the build's own)
    and the findings it adds about guides it kept stale or could not publish."""

    problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def apply_reach(project: Project, last: LastGood) -> Reach:
    reach = Reach(list(project.problems))
    _settle_broken_guides(project, last, reach)
    for guide in project.guides:
        _keep_orphans(guide, last)
    _leave_out_duplicates(project, reach)
    return reach


def _settle_broken_guides(project: Project, last: LastGood, reach: Reach) -> None:
    broken = project.broken
    guides = [g for g in project.guides if g.id not in broken]
    for guide_id, why in sorted(broken.items()):
        claims_path = Path(project.root) / CLAIMS_DIR / guide_id / CLAIMS_FILE
        shown = relative(project, claims_path.parent)
        good = last.guides.get(guide_id)
        data = _from_last_good(project.root, good) if good is not None else None
        if data is None:
            reach.findings.append(Finding(
                "guide-unpublished",
                f"guide {guide_id!r} is not published: {why}, and no earlier build holds it; "
                "fix the file and build again", None, None, None, shown, None, (guide_id,)))
            continue
        assert good is not None
        data.stale_reason = why
        guides.append(data)
        reach.findings.append(Finding(
            "guide-stale",
            f"its files cannot be built ({why}): the publication shows the guide as last "
            f"built on {good.built_at}, re-graded against the current sources, marked stale; "
            "fix the file and build again", guide_id, None, None, shown, None))
    project.guides = sorted(guides, key=lambda g: g.id)


def _from_last_good(root: Path, good: GoodGuide) -> GuideData | None:
    """The guide as its last good files make it (they were read and built once)."""
    folder = Path(root) / CLAIMS_DIR / good.id
    claims_path = Path(root) / good.claims_path if good.claims_path else folder / CLAIMS_FILE
    if good.claims_text is not None:
        claims_file, _problems = parse_claims(good.claims_text, claims_path)
        if claims_file is None:
            return None
    else:
        claims_file = ClaimsFile(claims_path, GuideMeta(), [], [])
    guide_path = Path(root) / good.path if good.path else folder / GUIDE_FILE
    reading = guide_reading(good.id, good.guide_text, guide_path, claims_file, [])
    if reading.data is None or reading.broken is not None:
        return None
    reading.data.claims_text = good.claims_text
    return reading.data


def _keep_orphans(guide: GuideData, last: LastGood) -> None:
    """An orphaned claim keeps its last good place, its section while the guide has it."""
    sections = {s.id for s in guide.guide.sections}
    for claim in guide.claims:
        if claim.id in guide.anchors:
            continue
        placement = last.placement(guide.id, claim.id)
        if placement is None:
            continue
        if placement.section_id not in sections:
            placement = type(placement)(None, placement.start, placement.end, placement.line)
        guide.kept[claim.id] = placement


def _leave_out_duplicates(project: Project, reach: Reach) -> None:
    """A claim id in two guides: the later guide's claim (by guide id) is left out.

    validate_guide did this among the guides read from their files; a guide
    shown from its last good files can hold an id too."""
    homes: dict[str, GuideData] = {}
    for guide in project.guides:
        for claim in guide.claims:
            home = homes.setdefault(claim.id, guide)
            if home is guide:
                continue
            if claim.id not in guide.left_out:
                guide.left_out.add(claim.id)
                reach.problems.append(Problem(
                    guide.claims_file.path, claim.line, claim.id,
                    f"duplicate claim id (also in guide {home.id!r}); this guide's claim is "
                    "left out", "claim ids are unique across all guides and never reused: "
                    "choose a new one", code="claim-id-duplicate"))
