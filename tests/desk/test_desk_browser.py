"""The editor's desk in Debian's headless Chromium (the browser suite's pattern): an
editor gives their name, verifies a claim, links a source to an unsupported claim and
retires an orphan, each from the page, with plain forms; claims.yaml then differs from
before by exactly those lines, and the rebuilt pages show the new status and basis.
The desk's pages pass the publication's axe-core test.

``EVIDENCE_SCREENSHOTS=docs/screenshots`` keeps the README's screenshot (desk.png).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.desk.live import build, make_desk_project, serve_local
from tests.publish.test_browser import CHROMIUM, CHROMIUM_ARGS, browser  # noqa: F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed")


@pytest.fixture
def desk(tmp_path):
    project = make_desk_project(tmp_path / "project")
    with serve_local(project, build(project)) as live:
        live.project = project
        yield live


@pytest.fixture
def tab(browser, desk):  # noqa: F811 - test_browser's fixture
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(route):
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.base = desk.base
    yield page
    context.close()
    assert outside == [] and [e for e in errors if "404" not in e] == [], (outside, errors)
    assert dialogs == [], f"a dialog opened (injected script?): {dialogs}"


def go(tab, path):
    response = tab.goto(tab.base + path)
    assert response.status == 200, (path, response.status)
    return response


def claims_text(desk) -> str:
    return (desk.project / "claims" / "hasesener" / "claims.yaml").read_text(encoding="utf-8")


def axe_violations(tab):
    return [(v["id"], [n["target"] for n in v["nodes"][:3]])
            for v in axe_module.Axe().run(tab).response["violations"]
            if v["impact"] in ("critical", "serious")]


def test_an_editor_verifies_links_and_retires_from_the_page(tab, desk, tmp_path):
    before = claims_text(desk)
    go(tab, "/evidence/claims/h-loading")
    tab.fill("#desk-editor-name", "Ada Editor")
    tab.get_by_role("button", name="Save my name").click()
    tab.wait_for_load_state("load")
    assert tab.locator(".desk-editor").inner_text() == "Ada Editor"
    assert axe_violations(tab) == []
    tab.check("input[name=status][value=verified]")
    tab.fill("#desk-review-note", "Read the trial.")
    shots = Path(os.environ.get("EVIDENCE_SCREENSHOTS") or tmp_path)
    tab.set_viewport_size({"width": 1280, "height": 1300})
    tab.screenshot(path=str(shots / "desk.png"))
    tab.get_by_role("button", name="Record verdict").click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("/evidence/claims/h-loading")
    assert "recorded as verified by Ada Editor" in tab.locator(".desk-message").inner_text()
    assert tab.locator(".facts .status").inner_text() == "verified"
    assert "review by Ada Editor" in tab.locator(".claim-history").inner_text()

    go(tab, "/evidence/claims/h-walk")
    assert "unsupported" in tab.locator(".verdict").inner_text().lower()
    tab.fill("#desk-find-q", "Nielsen")
    tab.get_by_role("button", name="Find sources").click()
    tab.wait_for_load_state("load")
    assert axe_violations(tab) == []
    tab.get_by_role("button", name="Link cohort2019").click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("/evidence/claims/h-walk")
    assert tab.locator(".verdict .basis-badge").inner_text() == "Observational studies"
    assert tab.locator(".claim-sources tbody tr").count() == 1

    go(tab, "/evidence/claims/h-prognosis")
    assert tab.locator(".notice-orphaned").count() == 1
    tab.fill("#desk-retire-reason", "The sentence was cut from the guide.")
    tab.get_by_role("button", name="Retire the claim").click()
    tab.wait_for_load_state("load")
    assert "h-prognosis: retired" in tab.locator(".desk-message").inner_text()
    assert tab.locator("a[href='/evidence/claims/h-prognosis']").count() == 0
    # its page now says it was retired, why, and what was done to it
    assert tab.goto(tab.base + "/evidence/claims/h-prognosis").status == 200
    assert "Retired:" in tab.locator(".notice-retired").inner_text()
    assert "The sentence was cut from the guide." in tab.locator(".facts").inner_text()
    assert "retire by Ada Editor" in tab.locator(".claim-history").inner_text()
    assert axe_violations(tab) == []

    after = claims_text(desk)
    review = re.search(r'    review:\n      status: verified\n      by: Ada Editor\n'
                       r'      on: \d{4}-\d\d-\d\d\n      note: "Read the trial\."\n'
                       r'      pin:\n(?:        .*\n)+', after)
    assert review, after
    prognosis = ('  - id: h-prognosis\n    quote: "De fleste bliver raske på tre til seks '
                 'måneder."\n    type: prognosis\n    evidence:\n      - source: corrected2021\n'
                 "        relation: supports\n")
    day = re.search(r"    on: (\d{4}-\d\d-\d\d)\n$", after).group(1)
    expected = (before
                .replace("        relation: supports\n  - id: h-eccentric",
                         "        relation: supports\n" + review.group(0) + "  - id: h-eccentric")
                .replace("    type: lifestyle\n", "    type: lifestyle\n    evidence:\n"
                         "      - source: cohort2019\n        relation: supports\n")
                .replace(prognosis, "")
                + '\nretired:\n  - id: h-prognosis\n    quote: "De fleste bliver raske på tre '
                'til seks måneder."\n    reason: "The sentence was cut from the guide."\n'
                f"    on: {day}\n")
    assert after == expected


@pytest.mark.parametrize("path", ["/-/desk/", "/evidence/claims/h-massage",
                                  "/evidence/guides/hasesener", "/evidence/claims/h-loading"])
def test_the_desk_pages_pass_axe(tab, path):
    go(tab, path)
    assert tab.locator(".desk-bar").count() == 1
    assert axe_violations(tab) == []


def test_queue_keys_move_and_can_be_turned_off(tab):
    go(tab, "/-/desk/")
    tab.keyboard.press("j")
    first = tab.evaluate("document.activeElement.getAttribute('href')")
    tab.keyboard.press("j")
    second = tab.evaluate("document.activeElement.getAttribute('href')")
    assert first.startswith("/evidence/claims/") and second != first
    tab.keyboard.press("k")
    assert tab.evaluate("document.activeElement.getAttribute('href')") == first
    with tab.expect_navigation():
        tab.keyboard.press("o")
    assert tab.url.endswith(first)
    go(tab, "/-/desk/")
    tab.uncheck("#desk-keys")
    tab.reload()
    assert not tab.is_checked("#desk-keys")
    tab.locator("h1").click()
    tab.keyboard.press("j")
    assert tab.evaluate("document.activeElement.className") != "desk-item-link"
    tab.check("#desk-keys")  # turned on again: keys act with the focus still on the box
    tab.keyboard.press("j")
    assert tab.evaluate("document.activeElement.getAttribute('href')") == first


def test_no_value_runs_as_script_on_the_desk(tab):
    go(tab, "/evidence/claims/h-script")
    tab.fill("#desk-editor-name", "<script>alert('name')</script><img src=x onerror=alert(1)>")
    tab.get_by_role("button", name="Save my name").click()
    tab.wait_for_load_state("load")
    assert tab.locator(".desk-editor").inner_text().startswith("<script>")
    go(tab, "/-/desk/sources?claim=h-script&q=%3Cscript%3Ealert(3)%3C/script%3E")
    assert tab.locator("#desk-find-q").input_value() == "<script>alert(3)</script>"
    assert "<script>alert(1)</script>" in tab.locator("mark.quote").inner_text()
    go(tab, "/-/desk/")
    go(tab, "/evidence/guides/hasesener")


@pytest.mark.parametrize("path", ["/-/desk/", "/evidence/claims/h-loading",
                                  "/evidence/claims/h-massage", "/evidence/guides/hasesener",
                                  "/-/desk/sources?claim=h-walk&q=a"])
def test_the_desk_fits_a_phone(tab, path):
    tab.set_viewport_size({"width": 390, "height": 900})
    go(tab, path)
    width, client = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, (path, width, client)
    assert axe_violations(tab) == []
