"""The publication in a real browser: Debian's headless Chromium driven by
playwright-python (never a browser download). Skipped when either is absent;
CI installs both.

The server runs in public mode on 127.0.0.1 in a thread. Every request the
browser makes is checked: none may leave 127.0.0.1, and the console must stay
free of errors (a Content-Security-Policy violation is one).
"""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from tests.publish.live import serve_public
from tests.publish_support import build_project

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

CHROMIUM_ARGS = [
    "--no-sandbox",  # headless Chromium as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-domain-reliability",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The public publication under uvicorn on 127.0.0.1, in a thread of its own
    (playwright's sync API keeps an event loop in the test's)."""
    database = build_project(tmp_path_factory.mktemp("browser"))
    with serve_public(database) as live:
        yield live.base


class Watch:
    """What the browser did: every request, blocked ones, console errors, dialogs."""

    def __init__(self):
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, tmp_path):
    watch = Watch()
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(route):
        url = route.request.url
        watch.requests.append(url)
        if urlsplit(url).hostname != "127.0.0.1":
            watch.outside.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def dialog(d):
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.watch = watch
    page.base = server
    page.shots = tmp_path
    yield page
    context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"
    assert watch.dialogs == [], f"a dialog opened (injected script?): {watch.dialogs}"
    assert watch.requests, "the browser made no request"


def visit(page, path: str, shot: str):
    response = page.goto(page.base + path)
    assert response.status == 200, (path, response.status)
    page.wait_for_load_state("load")
    page.screenshot(path=str(page.shots / f"{shot}.png"), full_page=True)
    return response


def test_overview(page):
    response = visit(page, "/", "overview")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text() == "Evidence behind the guides"
    card = page.locator("#guide-hasesener")
    assert card.locator("h2").inner_text() == "Hasesener for løbere"
    rows = card.locator("table.section-chart tbody tr")
    assert rows.count() == 5
    assert "Injektioner" in rows.nth(3).inner_text()
    assert page.locator("#legend dt").count() == 10  # six bases, four tiers
    # a bar segment leads to the faceted list of exactly those claims
    segment = card.locator("table.section-chart a.seg.basis-trial").first
    assert segment.get_attribute("title") == "2 claims: Trials"
    segment.click()
    page.wait_for_load_state("load")
    assert "/evidence/claims?" in page.url and "basis=trial" in page.url
    assert page.locator("table.claims-list tbody tr").count() == 2
    page.screenshot(path=str(page.shots / "overview-segment.png"), full_page=True)


def test_faceted_claims_list(page):
    visit(page, "/evidence/claims?guide_id=hasesener", "claims")
    assert "10 rows" in page.locator("h3").first.inner_text()
    facets = page.locator(".facet-info-name strong")
    names = [facets.nth(i).inner_text().split()[0] for i in range(facets.count())]
    assert names[:3] == ["basis", "type", "section"]
    # choose a facet value, then a basis chip
    page.locator("#facet-type a", has_text="treatment").click()
    page.wait_for_load_state("load")
    assert page.locator("table.claims-list tbody tr").count() == 3
    page.locator("nav.basis-filter a", has_text="Case reports").click()
    page.wait_for_load_state("load")
    rows = page.locator("table.claims-list tbody tr")
    assert rows.count() == 1
    assert "Massage hjælper kortvarigt." in rows.first.inner_text()
    assert "contested" in rows.first.inner_text()
    page.screenshot(path=str(page.shots / "claims-faceted.png"), full_page=True)


def test_claim_page(page):
    visit(page, "/evidence/claims/h-loading", "claim")
    mark = page.locator("blockquote.context mark.quote")
    assert mark.inner_text() == "Progressiv belastning er centralt i behandlingen."
    assert "Excentrisk træning hjælper måske." in page.locator("blockquote.context").inner_text()
    assert "Rests on one randomised controlled trial and one narrative review." in (
        page.locator(".explanation").inner_text())
    sources = page.locator(".claim-sources tbody tr")
    assert sources.count() == 2
    assert "Trials" in sources.first.inner_text() and "p. 12" in sources.first.inner_text()


def test_claim_with_a_script_in_its_quote_runs_nothing(page):
    visit(page, "/evidence/claims/h-script", "claim-script")
    assert "<script>alert(1)</script>" in page.locator("mark.quote").inner_text()
    # a finding is said in words; its code stays as data, not in the prose
    findings = page.locator(".claim-findings")
    assert findings.inner_text().count("Check <b>this</b> claim") == 1
    assert "test-finding" not in findings.inner_text()
    assert findings.locator('[data-code="test-finding"]').count() == 1


def test_source_page_with_retraction(page):
    visit(page, "/evidence/sources/retracted2015", "source-retracted")
    banner = page.locator(".banner-retraction")
    assert banner.is_visible()
    assert "Retracted." in banner.inner_text()
    assert page.locator(".source-claims tbody tr").count() == 1
    visit(page, "/evidence/sources/trial2020", "source")
    assert page.locator(".banner-retraction").count() == 0
    assert page.locator("a[href='https://doi.org/10.1234/trial.2020']").count() >= 1
    assert page.locator(".source-claims tbody tr").count() == 3


def test_search(page):
    visit(page, "/", "before-search")
    box = page.locator("header input[name=q]")
    box.fill("hase")
    box.press("Enter")
    page.wait_for_load_state("load")
    assert "/-/search?q=hase" in page.url
    hits = page.locator("ol.hits").first.locator("li")
    assert hits.count() == 1
    assert hits.first.locator("mark").first.inner_text() == "Hasesenerne"
    page.screenshot(path=str(page.shots / "search.png"), full_page=True)
    # prefix search inside the claims list, through its own search box
    visit(page, "/evidence/claims", "claims-all")
    page.locator("input#_q").fill("overbelast")
    page.locator("input#_q").press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("table.claims-list tbody tr").count() == 2
