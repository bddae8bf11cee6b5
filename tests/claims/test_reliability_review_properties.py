"""Property test: a review recorded by `evidence review` changes only the review.

For generated claims.yaml files (comments everywhere, blank lines, every
quoting style, keys in any order, both list layouts), recording a verdict on
any subset of claims keeps every other line byte for byte, every comment in
its order, and every claim as it read before, apart from its review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from bisect import bisect_right

from hypothesis import given
from hypothesis import strategies as st

from evidence.claims.loader import parse_claims
from evidence.claims.review import edit_reviews
from tests.fuzz import PROPERTY
from tests.fuzz.claims import claims_files

_ID = re.compile(r"^\s*- id: (\S+)")
_REVIEW = re.compile(r"^(\s*)review:")


def without_reviews(text: str, ids: set[str]) -> list[str]:
    """The lines of ``text`` less the review blocks of the claims ``ids``."""
    return _split_reviews(text, ids)[0]


def review_lines(text: str, ids: set[str]) -> list[int]:
    """The numbers (from 0) of the lines of the review blocks of the claims
    ``ids``: by place, since the same line may stand in another claim's review."""
    return _split_reviews(text, ids)[1]


def _split_reviews(text: str, ids: set[str]) -> tuple[list[str], list[int]]:
    lines = text.split("\n")
    keep: list[str] = []
    reviews: list[int] = []
    current = None
    i = 0
    while i < len(lines):
        line = lines[i]
        found = _ID.match(line)
        if found:
            current = found.group(1)
        review = _REVIEW.match(line)
        if review and current in ids:
            indent = len(review.group(1))
            j = i + 1
            end = j
            while j < len(lines):
                if not lines[j].strip():
                    j += 1
                    continue
                if len(lines[j]) - len(lines[j].lstrip()) <= indent:
                    break
                j += 1
                end = j
            reviews += range(i, end)
            i = end  # blank lines after the block stay
            continue
        keep.append(line)
        i += 1
    return keep, reviews


def readable(claim):
    return dataclasses.replace(claim, line=None, review=None,
                               evidence=[dataclasses.replace(e, line=None) for e in claim.evidence])


@st.composite
def review_edits(draw):
    gen = draw(claims_files())
    chosen = draw(st.lists(st.sampled_from(gen.ids), min_size=1, unique=True))
    status = draw(st.sampled_from(["verified", "disputed", "needs-source"]))
    note = draw(st.one_of(st.none(), st.sampled_from(["tjek: kilden", 'citat "her"', "ok # ja"])))
    return gen, chosen, status, note


@PROPERTY
@given(review_edits())
def test_a_review_changes_only_the_reviews_of_its_claims(edit):
    gen, chosen, status, note = edit
    before, problems = parse_claims(gen.text, "claims.yaml")
    assert before is not None and not problems, (problems, gen.text)

    new_text, pins = edit_reviews(gen.text, "claims.yaml", chosen, status=status,
                                  by="Ærø Redaktør", on=dt.date(2026, 11, 28), note=note)

    # Every line outside the reviewed claims' review blocks, byte for byte, in order.
    assert without_reviews(new_text, set(chosen)) == without_reviews(gen.text, set(chosen))
    # Every comment, in order (those inside a replaced review block too), but
    # the end-of-line comment of a review note that the new review drops.
    lines = gen.text.split("\n")
    dropped = set() if note is not None else {
        number for number in review_lines(gen.text, set(chosen))
        if lines[number].strip().startswith("note:") and "#" in lines[number]}
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    position = at = 0
    for comment in gen.comments:
        at = gen.text.find(comment, at)  # where the comment stands in the file
        number = bisect_right(starts, at) - 1
        at += len(comment)
        if number in dropped:
            continue
        found = new_text.find(comment, position)
        assert found >= 0, comment
        position = found + len(comment)
    # The claims read as before, apart from the reviews recorded.
    after, problems = parse_claims(new_text, "claims.yaml")
    assert not problems
    assert [c.id for c in after.claims] == [c.id for c in before.claims]
    for old, new in zip(before.claims, after.claims, strict=True):
        assert readable(new) == readable(old)
        if new.id in chosen:
            assert (new.review.status, new.review.by, new.review.on, new.review.note) == (
                status, "Ærø Redaktør", "2026-11-28", note)
            assert new.review.pin == pins[new.id]
        else:
            assert new.review == old.review


def test_claims_at_the_margin_stay_at_the_margin():
    """Regression: a file with `- id:` at the margin was re-indented line by line."""
    text = ("guide:\n  title: T\nclaims:\n- id: a\n  type: definition\n  quote: Løbere\n"
            "  evidence:\n  - source: x\n- id: b\n  type: definition\n  quote: ondt\n")
    new_text, _ = edit_reviews(text, "claims.yaml", ["a"], status="verified", by="X",
                               on=dt.date(2026, 11, 28), note=None)
    assert new_text.startswith(text.split("- id: b")[0])
    assert new_text.endswith("- id: b\n  type: definition\n  quote: ondt\n")


def test_a_comment_under_review_stays_above_its_keys():
    """Regression: 'review:  # x' with a comment line under it moved that line
    to after the review block."""
    text = ("guide:\n  title: T\nclaims:\n  - id: a\n    type: definition\n    quote: Løbere\n"
            "    review:  # c3\n      # c4\n      status: unreviewed\n  # c6\n"
            "  - id: b\n    type: definition\n    quote: ondt\n")
    new_text, _ = edit_reviews(text, "claims.yaml", ["a"], status="verified", by="X",
                               on=dt.date(2026, 11, 28), note=None)
    assert "    review:  # c3\n      # c4\n      status: verified" in new_text
    assert new_text.endswith("  # c6\n  - id: b\n    type: definition\n    quote: ondt\n")
