"""evidence reanchor: orphaned claims moved to where their words went, never below the threshold."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from evidence.cli import cli
from evidence.guide.anchor import Anchor, GuideIndex
from evidence.guide.document import comparable, parse_guide
from evidence.guide.match import THRESHOLD, best_match
from tests.conftest import write_project
from tests.fuzz import PROPERTY

GUIDE = """\
Løbere får ofte ondt.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen.

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt. Is lindrer smerten.
"""

CLAIMS = """\
guide:
  title: Testguide
  language: da
claims:
  # the definition
  - id: t-definition
    quote: "Tendinopati er en overbelastningsskade i senen."
    type: definition
    consensus: "Standard definition."
  - id: t-loading
    quote: 'Progressiv belastning er centralt.'   # from the guide
    type: treatment
    evidence:
      - source: smith2020
  - id: t-massage
    quote: "Massage hjælper kortvarigt."
    type: treatment
  - id: t-ice
    quote: "Is lindrer smerten."
    type: treatment
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_reanchor_moves_a_reworded_quote_and_leaves_a_deleted_sentence_orphaned(tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("EVIDENCE_EDITOR", "Ann")
    write_project(tmp_path, guide=GUIDE, claims=CLAIMS)
    assert run("review", "t-loading", "--status", "verified", "--project", tmp_path
               ).exit_code == 0
    assert run("build", "--project", tmp_path).exit_code == 0
    guide = tmp_path / "claims/testguide/guide.md"
    guide.write_text(GUIDE.replace("Progressiv belastning er centralt.",
                                   "Progressiv belastning er helt centralt.")
                     .replace(" Massage hjælper kortvarigt.", ""), encoding="utf-8")
    assert run("build", "--project", tmp_path).exit_code == 1

    dry = run("reanchor", "--project", tmp_path)
    assert dry.exit_code == 0, dry.output
    assert "testguide  t-loading, similarity 9" in dry.output
    assert "    old: Progressiv belastning er centralt." in dry.output
    assert "    new: Progressiv belastning er {helt} centralt." in dry.output
    assert "can be moved: run again with --apply" in dry.output
    assert "t-massage" in dry.output and "below the threshold of 80" in dry.output
    path = tmp_path / "claims/testguide/claims.yaml"
    before = path.read_text()
    assert path.read_text() == before  # a dry run writes nothing

    applied = run("reanchor", "testguide", "--apply", "--project", tmp_path)
    assert "moved: its review lapses" in applied.output
    after = path.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    # Only the quote's line changed; its comment stays on it.
    assert [(a, " ".join(b.split())) for a, b in changed] == [(
        "    quote: 'Progressiv belastning er centralt.'   # from the guide",
        'quote: "Progressiv belastning er helt centralt." # from the guide')]
    assert run("build", "--project", tmp_path).exit_code == 1  # t-massage is still orphaned
    with sqlite3.connect(tmp_path / "evidence.db") as db:
        rows = dict(db.execute("select id, anchor || ' ' || status from claims"))
    assert rows["t-loading"] == "exact stale"  # moved; the verdict lapsed
    assert rows["t-massage"] == "orphaned unreviewed"


def test_words_that_overlap_another_claim_are_never_taken(tmp_path):
    text = GUIDE.replace("Is lindrer smerten.", "Is lindrer smerten hos løbere.")
    claims = CLAIMS.replace('quote: "Massage hjælper kortvarigt."',
                            'quote: "Is lindrer smerten hos de fleste."')
    write_project(tmp_path, guide=text, claims=claims.replace(
        'quote: "Is lindrer smerten."', 'quote: "Is lindrer smerten hos løbere."'))
    result = run("reanchor", "t-massage", "--apply", "--project", tmp_path)
    assert "stays orphaned: the words overlap claim t-ice" in result.output
    assert "0 moved" in result.output


# --- Property: never below the threshold ------------------------------------------

WORDS = ["senen", "knæet", "løb", "smerte", "belastning", "hvile", "is", "massage", "tre",
         "uger", "hjælper", "ofte", "ikke", "mere", "træning"]
sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=9).map(
    lambda w: " ".join(w).capitalize() + ".")


@st.composite
def reworded(draw):
    paragraphs = draw(st.lists(st.lists(sentences, min_size=1, max_size=3), min_size=1,
                               max_size=4))
    text = "\n\n".join(" ".join(p) for p in paragraphs) + "\n"
    original = draw(st.sampled_from([s for p in paragraphs for s in p]))
    words = original[:-1].split()
    for _ in range(draw(st.integers(0, 4))):  # edits: replace, drop or add a word
        op = draw(st.sampled_from(["replace", "drop", "add"]))
        at = draw(st.integers(0, len(words) - 1))
        if op == "replace":
            words[at] = draw(st.sampled_from(WORDS))
        elif op == "drop" and len(words) > 1:
            del words[at]
        else:
            words.insert(at, draw(st.sampled_from(WORDS)))
    return text, " ".join(words) + "."


@PROPERTY
@given(reworded())
def test_a_match_at_or_above_the_threshold_is_the_words_it_names(case):
    text, quote = case
    guide = parse_guide("g", text, "guide.md")
    index = GuideIndex(guide)
    match = best_match(index, quote)
    assert match is not None
    # The score is what it says: recomputed from the words the match would write.
    assert abs(fuzz.ratio(comparable(quote), comparable(match.words)) - match.score) < 1e-6
    assert comparable(match.words) == comparable(
        text[match.start:match.end].replace("\n", " "))


@PROPERTY
@given(reworded())
def test_reanchor_never_attaches_a_quote_to_words_below_the_threshold(case):
    from evidence.claims.loader import parse_claims
    from evidence.edit.reanchor import propose
    from evidence.project import GuideData, Project, guide_reading

    text, quote = case
    claims = ("claims:\n  - id: c\n    quote: " + '"' + quote + '"' + "\n    type: symptom\n")
    claims_file, _ = parse_claims(claims, "claims.yaml")
    reading = guide_reading("g", text, "guide.md", claims_file, [])
    assert isinstance(reading.data, GuideData)
    project = Project(".", None, [reading.data])  # type: ignore[arg-type]
    proposals = propose(project)
    if "c" in reading.data.anchors:
        assert proposals == []
        return
    (proposal,) = proposals
    if proposal.applicable:
        assert proposal.match is not None
        assert fuzz.ratio(comparable(quote), comparable(proposal.match.words)) >= THRESHOLD
        placed = GuideIndex(reading.data.guide).anchor(proposal.match.words)
        assert isinstance(placed, Anchor)
        assert (placed.start, placed.end) == (proposal.match.start, proposal.match.end)
    elif proposal.match is not None and proposal.match.score < THRESHOLD:
        assert "below the threshold" in (proposal.why_not or "")
