"""evidence retire: claims move to retired:, every other line of the file stays."""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3

import pytest
from click.testing import CliRunner

from evidence.claims.loader import parse_claims
from evidence.claims.retire import retire_in_text
from evidence.cli import cli
from evidence.errors import EvidenceError
from tests.conftest import write_project

CLAIMS = """\
# Claims of the test guide.
guide:
  title: Testguide
  language: da
claims:
  # --- Hvad er det? ---
  - id: t-definition
    quote: "Tendinopati er en overbelastningsskade i senen."
    type: definition   # as in the textbook
    consensus: "Standard definition."

  # --- Behandling ---
  # The loading claim is linked.
  - id: t-loading
    quote: 'Progressiv belastning er centralt.'
    type: treatment
    evidence:
      - source: smith2020
        relation: supports   # as the guide says
  - id: t-massage
    quote: "Massage hjælper kortvarigt."
    type: treatment
not_claims:
  - quote: "Løbere får ofte ondt."
    reason: "Framing."
"""


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    added, removed = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("+ "):
            added.append(line[2:])
        elif line.startswith("- "):
            removed.append(line[2:])
    return added, removed


def test_a_retired_claim_moves_to_retired_and_nothing_else_changes():
    after = retire_in_text(CLAIMS, "claims.yaml", ["t-loading"], reason="Sentence deleted.",
                           date=dt.date(2026, 12, 2))
    added, removed = changes(CLAIMS, after)
    assert removed == ["  - id: t-loading", "    quote: 'Progressiv belastning er centralt.'",
                       "    type: treatment", "    evidence:", "      - source: smith2020",
                       "        relation: supports   # as the guide says"]
    assert added == ["", "retired:", "  - id: t-loading",
                     '    quote: "Progressiv belastning er centralt."',
                     '    reason: "Sentence deleted."', "    on: 2026-12-02"]
    # The comments heading the retired claim stay where they were.
    assert "  # --- Behandling ---\n  # The loading claim is linked.\n  - id: t-massage" in after
    parsed, problems = parse_claims(after, "claims.yaml")
    assert not problems
    assert [c.id for c in parsed.claims] == ["t-definition", "t-massage"]
    assert [(r.id, r.reason, r.date) for r in parsed.retired] == [
        ("t-loading", "Sentence deleted.", "2026-12-02")]


def test_a_second_retirement_adds_to_the_list_and_keeps_the_first():
    once = retire_in_text(CLAIMS, "c.yaml", ["t-loading"], reason="a", date=dt.date(2026, 1, 1))
    twice = retire_in_text(once, "c.yaml", ["t-massage", "t-definition"], reason='b "q"',
                           date=dt.date(2026, 1, 2))
    parsed, problems = parse_claims(twice, "c.yaml")
    assert not problems and parsed.claims == []
    assert [(r.id, r.reason) for r in parsed.retired] == [
        ("t-loading", "a"), ("t-massage", 'b "q"'), ("t-definition", 'b "q"')]
    added, removed = changes(once, twice)
    assert added == ["  - id: t-massage", '    quote: "Massage hjælper kortvarigt."',
                     '    reason: "b \\"q\\""', "    on: 2026-01-02", "  - id: t-definition",
                     '    quote: "Tendinopati er en overbelastningsskade i senen."',
                     '    reason: "b \\"q\\""', "    on: 2026-01-02"]
    assert "  - id: t-loading" not in removed


def test_claims_at_the_margin_give_entries_at_the_margin():
    text = ("guide:\n  title: T\nclaims:\n- id: a\n  type: definition\n  quote: Løbere\n"
            "- id: b\n  type: definition\n  quote: ondt\n")
    after = retire_in_text(text, "c.yaml", ["a"], reason="gone", date=dt.date(2026, 1, 1))
    assert after == ("guide:\n  title: T\nclaims:\n- id: b\n  type: definition\n  quote: ondt\n"
                     '\nretired:\n- id: a\n  quote: "Løbere"\n  reason: "gone"\n'
                     "  on: 2026-01-01\n")


def test_an_unknown_claim_is_refused():
    with pytest.raises(EvidenceError, match="no claim t-nope"):
        retire_in_text(CLAIMS, "c.yaml", ["t-nope"], reason="x", date=dt.date(2026, 1, 1))


GUIDE = """\
Løbere får ofte ondt.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen.

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt.
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_retire_command_and_what_the_build_makes_of_it(tmp_path):
    write_project(tmp_path, guide=GUIDE, claims=CLAIMS)
    path = tmp_path / "claims/testguide/claims.yaml"
    result = run("retire", "t-massage", "--reason", "Merged into t-loading.", "--on",
                 "2026-12-02", "--project", tmp_path)
    assert result.exit_code == 0, result.output
    assert "t-massage: retired on 2026-12-02" in result.output
    assert run("build", "--project", tmp_path).exit_code == 0
    with sqlite3.connect(tmp_path / "evidence.db") as db:
        assert [r[0] for r in db.execute("select id from claims order by id")] == [
            "t-definition", "t-loading"]
        assert db.execute("select id, guide_id, quote, reason, date from retired_claims"
                          ).fetchall() == [("t-massage", "testguide", "Massage hjælper "
                                            "kortvarigt.", "Merged into t-loading.",
                                            "2026-12-02")]
    # Retiring it again, or an unknown id: an error, the file untouched.
    before = path.read_bytes()
    again = run("retire", "t-massage", "--reason", "x", "--project", tmp_path)
    assert again.exit_code == 1 and "already retired" in again.output
    assert path.read_bytes() == before
    # A new claim reusing the retired id: an error naming it, the claim left out.
    path.write_text(path.read_text().replace(
        "not_claims:", '  - id: t-massage\n    quote: "Massage hjælper kortvarigt."\n'
        "    type: treatment\nnot_claims:"))
    built = run("build", "--project", tmp_path)
    assert built.exit_code == 1
    assert "t-massage: the claim id 't-massage' was retired" in built.output
    with sqlite3.connect(tmp_path / "evidence.db") as db:
        assert db.execute("select count(*) from claims where id = 't-massage'").fetchone() == (0,)


def test_a_retired_id_reused_in_another_guide_is_an_error_in_an_incremental_rebuild(tmp_path):
    write_project(tmp_path, guide=GUIDE, claims=CLAIMS, guide_id="aaa")
    other = CLAIMS.replace("t-", "b-")
    write_project(tmp_path, guide=GUIDE, claims=other, guide_id="bbb")
    for name in ("ccc", "ddd", "eee"):
        write_project(tmp_path, guide=GUIDE, claims=CLAIMS.replace("t-", f"{name}-"),
                      guide_id=name)
    assert run("retire", "t-massage", "--reason", "gone", "--project", tmp_path).exit_code == 0
    assert run("build", "--project", tmp_path).exit_code == 0
    path = tmp_path / "claims/bbb/claims.yaml"
    path.write_text(path.read_text().replace("id: b-massage", "id: t-massage"))
    built = run("build", "--project", tmp_path)
    assert built.exit_code == 1 and "'t-massage' was retired" in built.output
