"""The desk over HTTP, against a real local server: what it writes, and every refusal.

Each refusal is checked to write nothing: claims.yaml and history.yaml are
compared byte for byte before and after.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.desk.forms import form_fields, session_of
from tests.desk.live import build, make_desk_project, serve_local
from tests.publish.live import serve_public

CLAIM_PAGE = "/evidence/claims/h-loading"


@pytest.fixture
def project(tmp_path) -> Path:
    return make_desk_project(tmp_path)


@pytest.fixture
def live(project):
    with serve_local(project, build(project), editor="Ada Editor") as server:
        yield server


def files(project: Path) -> dict[str, bytes | None]:
    folder = project / "claims" / "hasesener"
    return {name: (folder / name).read_bytes() if (folder / name).exists() else None
            for name in ("claims.yaml", "history.yaml")}


def open_page(live, path=CLAIM_PAGE):
    answer = live.get(path, headers={"Host": f"127.0.0.1:{live.port}"})
    assert answer.status == 200, answer.body[:500]
    return answer, session_of(answer)


def verdict_fields(answer) -> dict:
    return form_fields(answer.body, "/-/desk/review") | {"status": "verified",
                                                         "note": "Read the trial."}


def test_a_verdict_edits_only_its_lines_and_the_page_shows_it(live, project):
    before = files(project)
    answer, session = open_page(live)
    posted = live.post("/-/desk/review", verdict_fields(answer),
                       {"Cookie": f"evidence_desk_session={session}",
                        "Origin": f"http://127.0.0.1:{live.port}",
                        "Sec-Fetch-Site": "same-origin"})
    assert posted.status == 303, posted.body[:500]
    assert posted.headers["location"] == CLAIM_PAGE
    after = files(project)
    diff = [line for line in difflib.unified_diff(
        before["claims.yaml"].decode().splitlines(), after["claims.yaml"].decode().splitlines(),
        lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    added = [line for line in diff if line.startswith("+")]
    assert not [line for line in diff if line.startswith("-")]
    assert added[:5] == ["+    review:", "+      status: verified", "+      by: Ada Editor",
                         added[3], '+      note: "Read the trial."']
    assert all(line.startswith("+      ") for line in added[5:])  # the pin
    history = after["history.yaml"].decode()
    assert '- claim: "h-loading"' in history and "action: review" in history
    assert 'by: "Ada Editor"' in history
    # the new verdict as the old one is written: status, by, on, note (DESIGN §15)
    assert re.search(r'to: \{"status": "verified", "by": "Ada Editor", "on": "\d{4}-\d\d-\d\d", '
                     r'"note": "Read the trial."\}', history)
    page, _ = open_page(live)
    assert 'status-verified">verified</span> by Ada Editor' in page.body
    assert "Read the trial." in page.body
    assert 'class="history-action action-review">review</span> by Ada Editor' in page.body
    # the result is said once, on the page the editor comes back to
    headers = {"Host": f"127.0.0.1:{live.port}", "Cookie": f"evidence_desk_session={session}"}
    said = "h-loading: recorded as verified by Ada Editor."
    assert said in live.get(CLAIM_PAGE, headers=headers).body
    assert said not in live.get(CLAIM_PAGE, headers=headers).body


def _refused(live, project, fields, headers, status):
    before = files(project)
    answer = live.post("/-/desk/review", fields, headers)
    assert answer.status == status, answer.body[:500]
    assert files(project) == before
    return answer


def test_a_post_without_the_token_is_refused_with_or_without_cookies(live, project):
    answer, session = open_page(live)
    fields = verdict_fields(answer)
    del fields["desk_token"]
    _refused(live, project, fields, {"Cookie": f"evidence_desk_session={session}"}, 403)
    _refused(live, project, fields, {}, 403)
    # the token of a page, posted without that browser's cookie (a cross-site form)
    refused = _refused(live, project, verdict_fields(answer), {}, 403)
    assert "token is missing or not this browser&#39;s" in refused.body
    # or with another browser's cookie
    _, other = open_page(live)
    _refused(live, project, verdict_fields(answer), {"Cookie": f"evidence_desk_session={other}"},
             403)


def test_a_post_from_another_origin_is_refused(live, project):
    answer, session = open_page(live)
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    refused = _refused(live, project, verdict_fields(answer),
                       cookie | {"Origin": "http://evil.example"}, 403)
    assert "evil.example" in refused.body
    _refused(live, project, verdict_fields(answer), cookie | {"Sec-Fetch-Site": "cross-site"},
             403)
    _refused(live, project, verdict_fields(answer), cookie | {"Sec-Fetch-Site": "same-site"},
             403)


def test_a_foreign_host_is_refused_reads_and_writes(live, project):
    answer, session = open_page(live)
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    for host in ("evil.example", f"evil.example:{live.port}", "127.0.0.1:1",
                 f"localhost.evil.example:{live.port}"):
        _refused(live, project, verdict_fields(answer), cookie | {"Host": host}, 403)
        assert live.get(CLAIM_PAGE, headers={"Host": host}).status == 403
    assert live.get(CLAIM_PAGE, headers={"Host": f"localhost:{live.port}"}).status == 200


def test_a_file_changed_on_disk_since_the_page_is_refused(live, project):
    answer, session = open_page(live)
    claims = project / "claims" / "hasesener" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "# an editor's comment\n",
                      encoding="utf-8")
    refused = _refused(live, project, verdict_fields(answer),
                       {"Cookie": f"evidence_desk_session={session}"}, 409)
    assert "changed on disk since this page was shown" in refused.body
    assert "# an editor&#39;s comment" not in refused.body
    assert claims.read_text(encoding="utf-8").endswith("# an editor's comment\n")


def test_get_on_an_action_writes_nothing(live, project):
    before = files(project)
    assert live.get("/-/desk/review?claim=h-loading&status=verified",
                    headers={"Host": f"127.0.0.1:{live.port}"}).status == 405
    assert files(project) == before


def test_no_name_no_verdict(project):
    with serve_local(project, build(project)) as live:
        answer, session = open_page(live)
        assert "Your name, recorded with every verdict" in answer.body
        cookie = {"Cookie": f"evidence_desk_session={session}"}
        refused = _refused(live, project, verdict_fields(answer), cookie, 400)
        assert "Give your name first" in refused.body
        named = live.post("/-/desk/editor", form_fields(answer.body, "/-/desk/editor")
                          | {"name": "Bo <b>Editor</b>"}, cookie)
        assert named.status == 303
        assert "HttpOnly" in named.headers["set-cookie"]
        editor_cookie = named.headers["set-cookie"].split(";")[0]
        cookies = {"Cookie": f"evidence_desk_session={session}; {editor_cookie}"}
        page = live.get(CLAIM_PAGE, headers={"Host": f"127.0.0.1:{live.port}"} | cookies)
        assert "editing as <strong class=\"desk-editor\">Bo &lt;b&gt;Editor&lt;/b&gt;" in page.body
        assert live.post("/-/desk/review", verdict_fields(page), cookies).status == 303
        assert 'by: "Bo <b>Editor</b>"' in files(project)["history.yaml"].decode()


def test_public_mode_answers_405_to_every_post_and_renders_no_form(project):
    with serve_public(build(project)) as live:
        for path in (CLAIM_PAGE, "/evidence/guides/hasesener", "/evidence/claims/h-massage"):
            page = live.get(path)
            assert page.status == 200
            assert "desk_token" not in page.body and 'method="post"' not in page.body.lower()
            assert "/-/desk/" not in page.body and "Editor&#39;s desk" not in page.body
        before = files(project)
        for path in ("/-/desk/review", "/-/desk/link", "/-/desk/retire", "/-/desk/reanchor",
                     "/-/desk/consensus", "/-/desk/editor", CLAIM_PAGE):
            answer = live.request("POST", path, headers={
                "Content-Type": "application/x-www-form-urlencoded"},
                body=b"claim=h-loading&status=verified")
            assert answer.status == 405, path
        assert files(project) == before
        assert live.get("/-/desk/").status == 404


def _added_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    diff = [line for line in difflib.unified_diff(before.decode().splitlines(),
                                                  after.decode().splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return ([line[1:] for line in diff if line.startswith("-")],
            [line[1:] for line in diff if line.startswith("+")])


def test_link_from_the_source_search_page(live, project):
    before = files(project)
    answer, session = open_page(live, "/evidence/claims/h-walk")
    cookie = {"Cookie": f"evidence_desk_session={session}", "Host": f"127.0.0.1:{live.port}"}
    found = live.get("/-/desk/sources?claim=h-walk&q=nielsen", headers=cookie)
    assert found.status == 200 and "cohort2019" in found.body and "trial2020" not in found.body
    by_doi = live.get("/-/desk/sources?claim=h-walk&q=10.1234%2Ftrial", headers=cookie)
    assert "trial2020" in by_doi.body
    # as editors paste them: a DOI's URL in any case, doi:, author and year, "Family, G."
    for q in ("https%3A%2F%2Fdoi.org%2F10.1234%2FCOHORT.2019", "doi%3A10.1234%2Fcohort.2019",
              "Nielsen+2019", "Nielsen%2C+H."):
        one = live.get(f"/-/desk/sources?claim=h-walk&q={q}", headers=cookie)
        assert "1 source in references.bib matches" in one.body, q
        assert "cohort2019" in one.body and "Study design: cohort" in one.body
        assert 'href="/evidence/sources/cohort2019"' in one.body
    assert "0 sources" in live.get("/-/desk/sources?claim=h-walk&q=Nielsen+2020",
                                   headers=cookie).body
    fields = form_fields(found.body, "/-/desk/link") | {
        "relation": "supports", "indirect": "1", "locator": "Table 2", "note": "Walking cohort."}
    assert fields["source"] == "cohort2019"
    assert live.post("/-/desk/link", fields, cookie).status == 303
    removed, added = _added_lines(before["claims.yaml"], files(project)["claims.yaml"])
    assert removed == []
    assert added == ["    evidence:", "      - source: cohort2019", "        relation: supports",
                     "        direct: false", '        locator: "Table 2"',
                     '        note: "Walking cohort."']
    page, _ = open_page(live, "/evidence/claims/h-walk")
    assert "basis-observational" in page.body and "Walking cohort." in page.body


def test_reanchor_and_retire_an_orphan(live, project):
    before = files(project)
    answer, session = open_page(live, "/evidence/claims/h-massage")
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    assert "Its words moved: accept the new ones?" in answer.body
    assert live.post("/-/desk/reanchor", form_fields(answer.body, "/-/desk/reanchor"),
                     cookie).status == 303
    removed, added = _added_lines(before["claims.yaml"], files(project)["claims.yaml"])
    assert removed == ['    quote: "Massage hjælper kortvarigt."']
    assert added == ['    quote: "Massage hjælper ofte kortvarigt."']
    answer, session = open_page(live, "/evidence/claims/h-prognosis")
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    assert "No re-anchoring to accept" in answer.body
    middle = files(project)
    fields = form_fields(answer.body, "/-/desk/retire") | {"reason": "Sentence deleted."}
    assert live.post("/-/desk/retire", fields, cookie).status == 303
    block = ('  - id: h-prognosis\n    quote: "De fleste bliver raske på tre til seks måneder."\n'
             "    type: prognosis\n    evidence:\n      - source: corrected2021\n"
             "        relation: supports\n")
    today = files(project)["claims.yaml"].decode().rsplit("on: ", 1)[1]
    assert files(project)["claims.yaml"].decode() == middle["claims.yaml"].decode().replace(
        block, "") + ('\nretired:\n  - id: h-prognosis\n'
                      '    quote: "De fleste bliver raske på tre til seks måneder."\n'
                      '    reason: "Sentence deleted."\n    on: ' + today)
    retired = live.get("/evidence/claims/h-prognosis",
                       headers={"Host": f"127.0.0.1:{live.port}"})
    assert retired.status == 200 and "notice-retired" in retired.body  # no longer a 404
    assert "Sentence deleted." in retired.body
    history = files(project)["history.yaml"].decode()
    assert history.count("action: reanchor") == 1 and history.count("action: retire") == 1


def test_the_review_queue_counts_by_guide_and_section(live):
    answer, _ = open_page(live, "/-/desk/")
    assert "Review queue" in answer.body
    assert '<span class="kind-orphaned">2 orphaned</span>' in answer.body
    assert 'href="/evidence/claims/h-massage"' in answer.body
    # ten claims of hasesener but one verified and one needing a source, and e-load
    assert answer.body.count('class="desk-item ') == 9
    assert '<h3>Behandling <span class="count">3</span></h3>' in answer.body
    assert 'id="desk-keys"' in answer.body
    script = re.search(r'<script src="([^"]*desk\.js)"', answer.body).group(1)
    served = live.get(script, headers={"Host": f"127.0.0.1:{live.port}"})
    assert served.status == 200 and "WCAG 2.1.4" in served.body


def test_remote_edits_need_the_one_time_login(project):
    database = build(project)
    with serve_local(project, database, editor="Ada") as live:
        live.desk.remote = True
        live.desk.host = "127.0.0.1"
        live.desk.login_token = "one-time-secret"
        host = {"Host": f"127.0.0.1:{live.port}"}
        refused = live.get(CLAIM_PAGE, headers=host)
        assert refused.status == 403
        # a page that links the login form, not words naming a path to type
        assert refused.headers["content-type"].startswith("text/html")
        assert '<a href="/-/desk/login">log in</a>' in refused.body
        assert "<script" not in refused.body
        assert live.post("/-/desk/review", {"claim": "h-loading"}, host).status == 403
        login = live.get("/-/desk/login", headers=host)
        assert login.status == 200 and "one-time-secret" not in login.body
        session = session_of(login)
        fields = form_fields(login.body, "/-/desk/login") | {"login": "one-time-secret"}
        cookie = host | {"Cookie": f"evidence_desk_session={session}"}
        done = live.post("/-/desk/login", fields, cookie)
        assert done.status == 303 and "HttpOnly" in done.headers["set-cookie"]
        login_cookie = done.headers["set-cookie"].split(";")[0]
        assert "one-time-secret" not in login_cookie
        page = live.get(CLAIM_PAGE, headers=host | {
            "Cookie": f"evidence_desk_session={session}; {login_cookie}"})
        assert page.status == 200
        # the token was for one use
        assert live.post("/-/desk/login", fields, cookie).status == 403


def test_serve_refuses_a_network_host_in_local_mode(project):
    from click.testing import CliRunner

    from evidence.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--project", str(project), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote-edits" in result.output


def test_an_uncovered_sentence_becomes_a_stub_or_a_non_claim(tmp_path):
    from tests.publish_support import make_project

    project = make_project(tmp_path)
    guide = project / "claims" / "hasesener" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "Det er en guide om knæet.", "Knæet bærer hele kroppens vægt hver dag."),
        encoding="utf-8")
    with serve_local(project, build(project), editor="Ada") as live:
        page, session = open_page(live, "/evidence/guides/hasesener")
        cookie = {"Cookie": f"evidence_desk_session={session}"}
        assert "Sentences that look factual and nothing covers (2)" in page.body
        before = files(project)
        fields = form_fields(page.body, "/-/desk/stub")
        assert fields["quote"] == "Knæet bærer hele kroppens vægt hver dag."
        assert live.post("/-/desk/stub", fields, cookie).status == 303
        removed, added = _added_lines(before["claims.yaml"], files(project)["claims.yaml"])
        assert removed == [] and '    quote: "Knæet bærer hele kroppens vægt hver dag."' in added
        # a plain statement: the default type, not "dosage" for its "hver dag"
        assert "    type: treatment" in added
        assert added[-2:] == ["    review:", "      status: unreviewed"]
        # in its guide-order place: after the claim of the sentence before it
        lines = files(project)["claims.yaml"].decode().splitlines()
        at = lines.index('    quote: "Knæet bærer hele kroppens vægt hver dag."') - 1
        assert lines[at - 7:at + 1] == [
            "  - id: h-overload-runners", '    quote: "Hasesenerne kan blive overbelastede '
            'hos løbere."', "    type: epidemiology", "    evidence:",
            "      - source: cohort2019", "        relation: supports",
            '        locator: "Table 2"', added[0]]
        assert lines[at + len(added)] == "  - id: h-definition"
        page, session = open_page(live, "/evidence/guides/hasesener")
        cookie = {"Cookie": f"evidence_desk_session={session}"}
        assert "nothing covers (1)" in page.body
        middle = files(project)
        fields = form_fields(page.body, "/-/desk/not-claim") | {"reason": "A list item, "
                                                                "not a statement."}
        assert fields["quote"] == "Biceps femoris fæster lateralt"
        assert live.post("/-/desk/not-claim", fields, cookie).status == 303
        removed, added = _added_lines(middle["claims.yaml"], files(project)["claims.yaml"])
        assert removed == []
        assert added == ["not_claims:", '  - quote: "Biceps femoris fæster lateralt"',
                         '    reason: "A list item, not a statement."']
        page, _ = open_page(live, "/evidence/guides/hasesener")
        assert "Every sentence that looks factual is a claim or a recorded non-claim." in page.body
        history = files(project)["history.yaml"].decode()
        assert "action: draft" in history and "action: not-claim" in history


def test_a_verdict_from_the_reading_view(live, project):
    page, session = open_page(live, "/evidence/guides/hasesener")
    assert "Claims of this guide awaiting a verdict (6)" in page.body  # 8 waiting, 2 orphaned
    fields = form_fields(page.body, "/-/desk/review")
    assert fields["claim"] == "h-overload-runners"
    assert fields["back"] == "/evidence/guides/hasesener"
    before = files(project)
    posted = live.post("/-/desk/review", fields | {"status": "disputed", "note": "No."},
                       {"Cookie": f"evidence_desk_session={session}"})
    assert posted.status == 303 and posted.headers["location"] == "/evidence/guides/hasesener"
    removed, added = _added_lines(before["claims.yaml"], files(project)["claims.yaml"])
    assert removed == [] and added[:2] == ["    review:", "      status: disputed"]
    page, _ = open_page(live, "/evidence/guides/hasesener")
    assert "awaiting a verdict (5)" in page.body


def test_a_failed_rebuild_is_said_with_the_edit_it_follows(live, project, monkeypatch):
    from evidence.desk import actions
    from evidence.errors import EvidenceError

    def failing(*args, **kwargs):
        raise EvidenceError("disk full")

    monkeypatch.setattr(actions, "build", failing)
    answer, session = open_page(live)
    headers = {"Cookie": f"evidence_desk_session={session}", "Host": f"127.0.0.1:{live.port}"}
    assert live.post("/-/desk/review", verdict_fields(answer), headers).status == 303
    assert "status: verified" in files(project)["claims.yaml"].decode()
    page = live.get(CLAIM_PAGE, headers=headers)
    assert "the rebuild failed (disk full)" in page.body
    assert 'status-unreviewed">unreviewed' in page.body  # the last good database


def _post_refused(live, project, path, fields, headers, status):
    before = files(project)
    answer = live.post(path, fields, headers)
    assert answer.status == status, re.findall(r'desk-refusal[^>]*>([^<]*)', answer.body)
    assert files(project) == before
    return answer


def test_a_reanchoring_applies_only_the_words_the_page_showed(live, project):
    answer, session = open_page(live, "/evidence/claims/h-massage")
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    fields = form_fields(answer.body, "/-/desk/reanchor")
    assert fields["words"] == "Massage hjælper ofte kortvarigt."
    guide = project / "claims" / "hasesener" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "Massage hjælper ofte kortvarigt.", "Massage hjælper ofte kortvarigt hos løbere."),
        encoding="utf-8")
    refused = _post_refused(live, project, "/-/desk/reanchor", fields, cookie, 409)
    assert "the guide&#39;s words changed since this page proposed them" in refused.body
    _post_refused(live, project, "/-/desk/reanchor", fields | {"words": ""}, cookie, 400)


def test_only_an_uncovered_sentence_is_recorded_as_no_claim(tmp_path):
    from tests.publish_support import make_project

    project = make_project(tmp_path)
    with serve_local(project, build(project), editor="Ada") as live:
        page, session = open_page(live, "/evidence/guides/hasesener")
        cookie = {"Cookie": f"evidence_desk_session={session}"}
        fields = form_fields(page.body, "/-/desk/not-claim") | {"reason": "Not a statement."}
        claimed = form_fields(page.body, "/-/desk/review")["claim"]
        quote = next(line.split('"')[1] for line in files(project)["claims.yaml"].decode()
                     .split(f"id: {claimed}\n", 1)[1].splitlines() if "quote:" in line)
        for wrong in ("Is kurerer alt.", quote):  # in no guide; a claim's own words
            refused = _post_refused(live, project, "/-/desk/not-claim",
                                    fields | {"quote": wrong}, cookie, 409)
            assert "is not one of the sentences of hasesener that no claim covers" \
                in refused.body


def test_the_desk_retires_orphans_only(live, project):
    answer, session = open_page(live)
    fields = form_fields(answer.body, "/-/desk/review") | {"reason": "Test."}
    refused = _post_refused(live, project, "/-/desk/retire", fields,
                            {"Cookie": f"evidence_desk_session={session}"}, 400)
    assert "h-loading is anchored in its guide" in refused.body


def test_after_a_change_on_disk_a_reload_can_succeed(live, project):
    answer, session = open_page(live)
    claims = project / "claims" / "hasesener" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "# an editor's comment\n",
                      encoding="utf-8")
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    _refused(live, project, verdict_fields(answer), cookie, 409)
    answer, session = open_page(live)  # the refusal rebuilt the pages from the file
    assert live.post("/-/desk/review", verdict_fields(answer),
                     {"Cookie": f"evidence_desk_session={session}"}).status == 303
    assert claims.read_text(encoding="utf-8").endswith("# an editor's comment\n")
    assert "status: verified" in claims.read_text(encoding="utf-8")


@pytest.mark.parametrize("field,value", [("note", "red \x1b[31malert"), ("note", "x" * 4001),
                                         ("note", "nul\x00")])
def test_a_field_too_long_or_with_control_characters_is_refused_not_cut(live, project, field,
                                                                         value):
    answer, session = open_page(live)
    refused = _refused(live, project, verdict_fields(answer) | {field: value},
                       {"Cookie": f"evidence_desk_session={session}"}, 400)
    assert f"The field &#39;{field}&#39;" in refused.body


def test_a_refusal_returns_to_the_page_of_the_form(project):
    with serve_local(project, build(project)) as live:
        answer, session = open_page(live)
        cookie = {"Cookie": f"evidence_desk_session={session}"}
        refused = _refused(live, project, verdict_fields(answer), cookie, 400)
        assert "Give your name first" in refused.body
        assert form_fields(refused.body, "/-/desk/editor")["back"] == CLAIM_PAGE
        named = live.post("/-/desk/editor", form_fields(refused.body, "/-/desk/editor")
                          | {"name": "Bo\nEditor"}, cookie)
        assert named.status == 400  # a name is one line
        named = live.post("/-/desk/editor", form_fields(refused.body, "/-/desk/editor")
                          | {"name": "Bo Editor"}, cookie)
        assert named.status == 303 and named.headers["location"] == CLAIM_PAGE


def _headers_only(live, path: str, headers: dict) -> tuple[int, str]:
    """POST the headers and no byte of the body they announce: what the server answers
    without reading it (a server that waits for the body times out here)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    try:
        conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_a_post_is_checked_before_its_body_is_read_and_a_huge_one_refused(live, project):
    before = files(project)
    answer, session = open_page(live)
    fields = verdict_fields(answer)
    host = {"Host": f"127.0.0.1:{live.port}", "Origin": f"http://127.0.0.1:{live.port}",
            "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/x-www-form-urlencoded"}
    huge = {"Content-Length": str(50_000_000)}
    # the guard and the session come first: nothing of the 50 MB is waited for
    assert _headers_only(live, "/-/desk/review", host | huge)[0] == 403
    cookie = {"Cookie": f"evidence_desk_session={session}"}
    assert _headers_only(live, "/-/desk/review", host | huge | cookie
                         | {"Origin": "http://evil.example"})[0] == 403
    # with them, a body announced over 1 MB is refused by its length, unread
    status, body = _headers_only(live, "/-/desk/review", host | huge | cookie)
    assert status == 413 and "1,000,000 bytes" in body
    # and one that does not say its length is refused once 1 MB has come
    padded = fields | {"note": "x" * 1_100_000}
    sent = live.request("POST", "/-/desk/review", headers=host | cookie,
                        body=iter([urlencode(padded).encode()]))  # chunked: no length
    assert sent.status == 413, sent.body[:300]
    assert files(project) == before
    # a form of a sane size still goes through
    assert live.post("/-/desk/review", fields, host | cookie).status == 303


def test_a_form_that_is_not_utf8_is_a_400_not_a_server_error(live, project):
    before = files(project)
    answer, session = open_page(live)
    sent = live.request("POST", "/-/desk/review", headers={
        "Host": f"127.0.0.1:{live.port}", "Cookie": f"evidence_desk_session={session}",
        "Content-Type": "application/x-www-form-urlencoded"}, body=b"note=\xff\xfe")
    assert sent.status == 400 and "not UTF-8" in sent.body
    assert files(project) == before
