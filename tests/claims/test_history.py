"""claims/<guide>/history.yaml: appended by every verb, kept byte for byte, stored by the build."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from click.testing import CliRunner

from evidence.claims.history import Change, appended, now, parse_history, today
from evidence.claims.links import consensus_in_text, link_in_text
from evidence.claims.loader import EvidenceLink
from evidence.cli import cli
from evidence.database.build import build
from evidence.errors import EvidenceError
from evidence.project import load_project
from tests.conftest import CLAIMS


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)


def history_of(project):
    return project / "claims" / "testguide" / "history.yaml"


def test_appending_keeps_every_byte_and_reads_back():
    first = appended("", "h.yaml", [Change("a", "review", "Ada", "2026-12-02T10:00:00Z",
                                           {"status": "unreviewed"}, {"status": "verified"})])
    assert first.startswith("# What editors did")
    second = appended(first, "h.yaml", [Change("a", "link", None, "2026-12-02T11:00:00Z",
                                               {}, {"source": 'x "quoted" ø'})])
    assert second.startswith(first)
    changes, problems = parse_history(second, "h.yaml")
    assert problems == []
    assert [(c.action, c.by, c.at) for c in changes] == [
        ("review", "Ada", "2026-12-02T10:00:00Z"), ("link", None, "2026-12-02T11:00:00Z")]
    assert changes[1].after == {"source": 'x "quoted" ø'}
    assert changes[0].line == 3


@pytest.mark.parametrize("text", ["- [unclosed\n", "claim: a\n", "- claim: a\n  action: eat\n  at: x\n",
                                  "- claim: a\n  action: review\n  at: x\n  extra: 1\n"])
def test_a_malformed_history_is_a_problem_and_is_not_appended_to(text):
    changes, problems = parse_history(text, "h.yaml")
    assert changes == [] and [p.code for p in problems] == ["history-invalid"]
    with pytest.raises(EvidenceError, match="nothing was changed"):
        appended(text, "h.yaml", [Change("a", "review", None, "t")])


def test_review_retire_and_reanchor_from_the_cli_append_to_the_history(project):
    env = {"EVIDENCE_EDITOR": "Ada Editor", "EVIDENCE_NOW": "2026-12-02T10:00:00Z"}
    assert run("review", "t-loading", "--status", "verified", "--note", "ok", "--project",
               project, env=env).exit_code == 0
    assert run("review", "t-loading", "--status", "disputed", "--project", project,
               env=env).exit_code == 0
    assert run("retire", "t-definition", "--reason", "Cut from the guide.", "--project", project,
               env=env).exit_code == 0
    changes, problems = parse_history(history_of(project).read_text(encoding="utf-8"), "h")
    assert problems == []
    assert [(c.claim, c.action, c.by) for c in changes] == [
        ("t-loading", "review", "Ada Editor"), ("t-loading", "review", "Ada Editor"),
        ("t-definition", "retire", "Ada Editor")]
    # the earlier verdict is kept, though claims.yaml holds only the newer one
    assert changes[1].before == {"status": "verified", "by": "Ada Editor", "on": changes[1].before["on"],
                                 "note": "ok"}
    assert changes[1].after == {"status": "disputed", "by": "Ada Editor",
                                "on": changes[1].before["on"]}
    assert changes[2].before["quote"] == "Tendinopati er en overbelastningsskade i senen."
    assert changes[2].after == {"retired": "Cut from the guide."}


def test_a_verdict_is_dated_by_the_same_clock_as_its_history_entry(monkeypatch):
    monkeypatch.setenv("EVIDENCE_NOW", "2019-03-04T23:59:00Z")
    assert (now(), today()) == ("2019-03-04T23:59:00Z", dt.date(2019, 3, 4))
    monkeypatch.setenv("EVIDENCE_NOW", "not a time")
    assert today() == dt.date.today()
    monkeypatch.delenv("EVIDENCE_NOW")
    assert today() == dt.date.today() and now()[:10] in {
        (dt.date.today() + dt.timedelta(days=d)).isoformat() for d in (-1, 0, 1)}


def test_the_build_stores_the_history_and_an_unreadable_one_takes_down_only_itself(project):
    env = {"EVIDENCE_EDITOR": "Ada Editor", "EVIDENCE_NOW": "2026-12-02T10:00:00Z"}
    run("review", "t-loading", "--status", "verified", "--project", project, env=env)
    database = project / "evidence.db"
    result = build(project, database)
    assert result.problems == []
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select claim_id, action, by, at, before, after from claim_history"
                            ).fetchall()
        sha = conn.execute("select history_sha256 from guides").fetchone()[0]
    assert rows == [("t-loading", "review", "Ada Editor", "2026-12-02T10:00:00Z",
                     json.dumps({"status": "unreviewed"}),
                     json.dumps({"status": "verified", "by": "Ada Editor", "on": "2026-12-02"}))]
    assert sha is not None
    # a hand edit of the history alone is seen by the (incremental) rebuild
    path = history_of(project)
    path.write_text(path.read_text(encoding="utf-8") + "- [broken\n", encoding="utf-8")
    result = build(project, database)
    assert result.built and len(result.problems) == 1 and "history.yaml" in result.problems[0]
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from claim_history").fetchone()[0] == 0
        assert conn.execute("select count(*) from claims").fetchone()[0] == 2
        assert conn.execute("select code from findings where code = 'history-invalid'"
                            ).fetchall() == [("history-invalid",)]
    # and no verb appends to it until it is restored
    assert run("review", "t-loading", "--status", "disputed", "--project", project,
               env=env).exit_code == 1


def test_linking_adds_exactly_the_link_lines(project):
    path = project / "claims" / "testguide" / "claims.yaml"
    new = link_in_text(CLAIMS, path, "t-definition",
                       EvidenceLink("smith2020", "supports", direct=False, locator="p. 3", note="ok"))
    assert new == CLAIMS.replace(
        '    consensus: "Standard definition."\n',
        '    consensus: "Standard definition."\n'
        "    evidence:\n"
        "      - source: smith2020\n"
        "        relation: supports\n"
        "        direct: false\n"
        '        locator: "p. 3"\n'
        '        note: "ok"\n')
    again = link_in_text(CLAIMS, path, "t-loading", EvidenceLink("other2021", "mentions"))
    assert again == CLAIMS + "      - source: other2021\n        relation: mentions\n"
    with pytest.raises(EvidenceError, match="already links smith2020"):
        link_in_text(CLAIMS, path, "t-loading", EvidenceLink("smith2020"))
    reason = consensus_in_text(CLAIMS, path, "t-loading", "Standard practice.")
    assert reason == CLAIMS.replace('      - source: smith2020\n',
                                    '      - source: smith2020\n', 1).replace(
        "        relation: supports\n",
        '        relation: supports\n    consensus: "Standard practice."\n')


def test_linking_an_unknown_source_is_refused_before_anything_is_written(project):
    from evidence.edit.link import link_source

    path = project / "claims" / "testguide" / "claims.yaml"
    before = path.read_bytes()
    with pytest.raises(EvidenceError, match="no source 'smith2021'.*did you mean 'smith2020'"):
        link_source(load_project(project, strict=False), "t-definition", EvidenceLink("smith2021"),
                    by="Ada")
    assert path.read_bytes() == before and not history_of(project).exists()
