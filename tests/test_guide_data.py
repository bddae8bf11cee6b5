"""The real data of the distal hamstring guide: counts, links and bases.

These tests pin the editorial content of claims/distal-hasetendinopati and
references.bib, so that an accidental edit (a lost link, a claim that no longer
anchors, a consensus reason added to make a claim look supported) fails CI.
A deliberate edit updates the numbers here in the same commit: the diff then
shows the change in evidence, which is what a reviewer should see.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from evidence.check.coverage import project_coverage
from evidence.database.build import build
from evidence.guide.document import normalise_words
from evidence.project import load_project

REPO = Path(__file__).resolve().parents[1]
GUIDE = "distal-hasetendinopati"

BASIS_COUNTS = {
    "trial": 0,
    "observational": 3,
    "case": 0,
    "expert": 12,
    "consensus": 62,
    "unsupported": 121,
}
TYPE_COUNTS = {
    "treatment": 69,
    "dosage": 24,
    "diagnosis": 17,
    "mechanism": 16,
    "prognosis": 15,
    "symptom": 14,
    "anatomy": 9,
    "lifestyle": 9,
    "safety": 9,
    "epidemiology": 8,
    "etiology": 6,
    "definition": 2,
}
# Every link the guide makes: (claim, source, relation, direct).
LINKS = {
    ("dht-pelvic-tilt", "mendiguchia2024", "supports", False),
    ("dht-pelvic-tilt-greatest-proximally", "mendiguchia2024", "supports", False),
    ("dht-pelvic-tilt-distal-effect", "mendiguchia2024", "supports", False),
    ("dht-coexisting-conditions", "mohammed2025", "supports", False),
    ("dht-ultrasound-tendon-thickness", "mohammed2025", "supports", True),
    ("dht-ultrasound-thickness-correlates", "mohammed2025", "supports", True),
    ("dht-semimembranosus-rare", "sederberg2022", "supports", True),
    ("dht-semimembranosus-medial-knee-pain", "sederberg2022", "supports", True),
    ("dht-little-treatment-literature", "sederberg2022", "supports", True),
    ("dht-best-practice-extrapolated", "sederberg2022", "supports", True),
    ("dht-rehabilitation-cornerstone", "sederberg2022", "supports", True),
    ("dht-rehab-focus-kinetic-chain", "sederberg2022", "supports", True),
    ("dht-rehab-focus-strength-control", "sederberg2022", "supports", True),
    ("dht-rehab-focus-progressive-loading", "sederberg2022", "supports", True),
    ("dht-shockwave-recalcitrant", "sederberg2022", "supports", True),
}
SOURCES = {  # citekey: (study design, tier), in the printed order of Kilder
    "sederberg2022": ("narrative-review", "expert"),
    "mohammed2025": ("cross-sectional", "observational"),
    "mendiguchia2024": ("mechanistic", "expert"),
    "owen2018": ("case-series", "case"),
    "watura2018": ("case-report", "case"),
    "chan2016": ("case-report", "case"),
}
# A sample of claims: (basis, indirect, type, section heading).
SAMPLE = {
    "dht-definition": ("consensus", False, "definition", "Hvad er distal hasetendinopati?"),
    "dht-pelvic-tilt": ("expert", True, "mechanism", "Biomekaniske faktorer"),
    "dht-coexisting-conditions": ("observational", True, "epidemiology", "Samtidige tilstande"),
    "dht-ultrasound-tendon-thickness": ("observational", False, "diagnosis", "Diagnostik"),
    "dht-shockwave-recalcitrant": ("expert", False, "treatment", "Shockwave-terapi"),
    "dht-progressive-loading-consensus": ("consensus", False, "treatment",
                                          "Belastning som behandling"),
    "dht-phase1-duration": ("unsupported", False, "dosage", "Fase 1: Symptomkontrol (Uge 1-2)"),
    "dht-phase1-cycling-cadence": ("unsupported", False, "dosage",
                                   "Fase 1: Symptomkontrol (Uge 1-2)"),
    "dht-phase2-distance-increase": ("unsupported", False, "dosage",
                                     "Fase 2: Progressiv belastning (Uge 2-6)"),
    "dht-exercise-bridge-repetitions": ("unsupported", False, "dosage",
                                        "Isometrisk hamstring bridge (Fase 1)"),
    "dht-cortisone-bursitis": ("unsupported", False, "treatment", "Kortison-injektion"),
    "dht-hamstrings-origin": ("unsupported", False, "anatomy", "Hvad er distal hasetendinopati?"),
    "dht-growth-hormone-deep-sleep": ("consensus", False, "mechanism", "Søvn"),
    "dht-sleep-duration": ("consensus", False, "lifestyle", "Søvn"),
    "dht-protein-intake": ("unsupported", False, "dosage", "Ernæring"),
    "dht-red-flag-locking": ("consensus", False, "safety",
                             "Røde flag ved smerter bag knæet: Hvornår skal du søge læge?"),
    "dht-faq-mild-cases-duration": ("unsupported", False, "prognosis",
                                    ("Hvor lang tid tager det at komme sig over distal "
                                    "hasetendinopati?")),
    "dht-faq-avoid-sprints-hills": ("unsupported", False, "treatment",
                                    "Kan man løbe med distal hasetendinopati?"),
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)  # strict: any problem in the data raises here


@pytest.fixture(scope="module")
def guide(project):
    return project.guide(GUIDE)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> sqlite3.Connection:
    path = tmp_path_factory.mktemp("db") / "evidence.db"
    result = build(REPO, path, force=True)
    assert result.built
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def test_every_claim_anchors(guide) -> None:
    assert len(guide.claims) == sum(BASIS_COUNTS.values())
    assert set(guide.anchors) == {c.id for c in guide.claims}
    # claims.yaml lists the claims in guide order.
    assert [c.id for c in guide.claims] == [c.id for c in guide.claims_in_order()]
    text = guide.guide.text
    for claim in guide.claims:
        anchor = guide.anchors[claim.id]
        assert normalise_words(text[anchor.start:anchor.end]) == normalise_words(claim.quote)


def test_claim_ids(guide) -> None:
    ids = [c.id for c in guide.claims]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("dht-") for i in ids)


def test_counts_per_basis(project, guide) -> None:
    counts = Counter(project.grade(c).basis for c in guide.claims)
    assert dict(counts) == {k: v for k, v in BASIS_COUNTS.items() if v}


def test_counts_per_type(guide) -> None:
    assert dict(Counter(c.type for c in guide.claims)) == TYPE_COUNTS


def test_links(guide) -> None:
    links = {
        (c.id, link.source, link.relation, link.direct)
        for c in guide.claims
        for link in c.evidence
    }
    assert links == LINKS
    # No locator was invented: nobody here has read the full texts.
    assert not any(link.locator for c in guide.claims for link in c.evidence)
    # Linked claims do not also claim consensus.
    assert not any(c.consensus and c.evidence for c in guide.claims)


def test_sources(project) -> None:
    references = project.references
    assert [s.key for s in references] == list(SOURCES)
    for key, (design, tier) in SOURCES.items():
        source = references.get(key)
        assert (source.study_design, source.tier) == (design, tier), key
        assert source.metadata_source == "manual"
        assert source.doi == source.doi.lower() and not source.doi.startswith("http")


def test_sources_the_guide_does_not_cite_stay_unlinked(guide) -> None:
    cited = {link.source for c in guide.claims for link in c.evidence}
    assert cited == {"sederberg2022", "mohammed2025", "mendiguchia2024"}


def test_review_status_is_left_to_editors(guide) -> None:
    assert {c.review.status for c in guide.claims} == {"unreviewed"}
    assert not any(c.review.by or c.review.on for c in guide.claims)


@pytest.mark.parametrize("claim_id", sorted(SAMPLE))
def test_sample_claims(project, guide, claim_id: str) -> None:
    basis, indirect, claim_type, section = SAMPLE[claim_id]
    claim = next(c for c in guide.claims if c.id == claim_id)
    grade = project.grade(claim)
    assert (grade.basis, grade.indirect, claim.type) == (basis, indirect, claim_type)
    assert guide.anchors[claim_id].section.heading == section
    assert not grade.contested


def test_database(database: sqlite3.Connection) -> None:
    rows = dict(database.execute(
        "select basis, count(*) from claims where guide_id = ? group by basis", (GUIDE,)))
    assert rows == {k: v for k, v in BASIS_COUNTS.items() if v}
    links = set(database.execute(
        "select claim_id, source_id, relation, direct from claim_sources"))
    assert links == {(c, s, r, int(d)) for c, s, r, d in LINKS}
    assert database.execute("select count(*) from claims where indirect").fetchone() == (4,)
    text = database.execute("select text from guides where id = ?", (GUIDE,)).fetchone()[0]
    for quote, start, end in database.execute("select quote, start, \"end\" from claims"):
        assert normalise_words(text[start:end]) == normalise_words(quote)


def test_coverage_is_complete(project) -> None:
    [report] = project_coverage(project, GUIDE)
    assert report.language == "da"
    # The claim detector (evidence import's) finds one advice lead-in that the editors
    # neither claimed nor listed as a non-claim: an editorial decision left open.
    assert [s.text for s in report.uncovered] == [
        "Det er en god idé at søge hjælp fra en fysioterapeut eller anden behandler med "
        "erfaring i løbeskader, hvis:"]
    assert report.factual >= 50
    assert len(project.guide(GUIDE).claims_file.not_claims) == 6
