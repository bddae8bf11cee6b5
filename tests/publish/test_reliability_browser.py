"""The payload project (tests/fuzz/xss.py) in a real browser: nothing runs.

Reuses the publication's browser harness (tests/test_browser.py): its server
(public mode, in a thread), its Chromium and its page fixture, which fails a
test on any console error, any dialog and any request leaving 127.0.0.1.
On top, ``evil()`` is defined before any page script runs, so a payload that
ran anywhere (script tag, event handler, SVG) leaves a trace to assert on.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from evidence.database.build import build
from tests.fuzz.xss import FIELDS, make_payload_project, payload
from tests.publish import test_browser
from tests.publish.test_browser import browser, page, visit  # noqa: F401 - the harness's fixtures

pytestmark = test_browser.pytestmark

TRAP = "window.__evil = []; window.evil = (field) => window.__evil.push(String(field));"


def build_payload_project(root: Path) -> Path:
    make_payload_project(root)
    return build(root, force=True).database


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """test_browser's server, publishing the payload project instead of its own."""
    original = test_browser.build_project
    test_browser.build_project = build_payload_project
    running = test_browser.server.__wrapped__(tmp_path_factory)
    try:
        url = next(running)
    finally:
        test_browser.build_project = original
    yield url
    with contextlib.suppress(StopIteration):
        next(running)


START = ["/", "/evidence/claims", "/evidence/sources", "/evidence/guides/xss",
         "/evidence/sections", "/evidence/claim_sources", "/evidence/findings",
         "/evidence/source_updates", "/evidence/source_authors",
         "/evidence/claims/c-consensus", "/evidence/claims/c-prefix",
         "/evidence/sources/plain2020", "/-/bibliography/xss",
         f"/-/search?q={quote(payload('search'))}",
         f"/evidence/claims?_q={quote('Sætning')}"]


def row_pages(tab) -> list[str]:
    """The row pages linked from the claims and sources lists (payload ids included)."""
    found = []
    for listing in ("/evidence/claims", "/evidence/sources"):
        tab.goto(tab.base + listing)
        for href in tab.locator("a").evaluate_all("links => links.map(a => a.href)"):
            path = urlsplit(href).path
            if re.match(r"^/evidence/(claims|sources)/[^/?]+$", path) and path not in found:
                found.append(path)
    return found


def test_no_payload_runs_in_the_browser(page):  # noqa: F811 - the harness's page fixture
    page.add_init_script(TRAP)
    paths = START + [p for p in row_pages(page) if p not in START]
    assert len(paths) == len(START) + 2  # the claim and the source with payload ids
    for number, path in enumerate(paths):
        visit(page, path, f"xss-{number}")
        assert page.evaluate("window.__evil") == [], path
        for field in FIELDS:
            assert page.locator(f"x-evil-{field}").count() == 0, (path, field)
    # The payloads were on the pages, as text.
    visit(page, "/evidence/claims/c-consensus", "xss-consensus")
    assert "<x-evil-consensus>" in page.locator("body").inner_text()
