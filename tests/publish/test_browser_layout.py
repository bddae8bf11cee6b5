"""Every page kind on a phone (390 px) and a screen (1400 px) in Debian's Chromium:
nothing scrolls sideways, lists reflow into cards with their basis visible, the
first claim comes early, chart numbers never run together, and axe-core (shipped
by axe-playwright-python) finds no critical or serious violation.

The server and browser fixtures are test_browser.py's (public mode on 127.0.0.1).
"""

from __future__ import annotations

import pytest

from tests.publish.live import serve_public
from tests.publish.test_browser import CHROMIUM, CHROMIUM_ARGS, browser, server  # noqa: F401
from tests.publish_support import build_retired_project

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

PAGES = {
    "home": "/",
    "claims": "/evidence/claims",
    "claim": "/evidence/claims/h-loading",
    "source": "/evidence/sources/trial2020",
    "guide": "/evidence/guides/hasesener",
    "bibliography": "/-/bibliography/hasesener",
    "search": "/-/search?q=hase",
    "sources": "/evidence/sources",
    "canned query": "/evidence/trial_backed_claims",
    "query with a parameter": "/evidence/claims_citing_doi?doi=10.1234/trial.2020",
    "database": "/evidence",
    "error": "/no/such/page",
}
WIDTHS = (390, 1400)

# Elements that scroll sideways inside the page (a table in a box that scrolls).
SIDEWAYS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1
          && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => `${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`)"""


@pytest.fixture(scope="module")
def axe():
    return axe_module.Axe()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def tab(request, browser, server):  # noqa: F811 - test_browser's fixtures
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.width = request.param
    page.base = server
    yield page
    context.close()
    assert [e for e in errors if "404" not in e] == [], errors


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_page_scrolls_sideways(tab, kind):
    tab.goto(tab.base + PAGES[kind])
    width, client = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, (kind, tab.width, width, client)
    assert tab.evaluate(SIDEWAYS) == [], (kind, tab.width)


@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_critical_or_serious_violation(tab, axe, kind):
    tab.goto(tab.base + PAGES[kind])
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:5]])
        for v in axe.run(tab).response["violations"] if v["impact"] in ("critical", "serious")]
    assert violations == [], (kind, tab.width, violations)
    assert tab.evaluate("document.documentElement.lang") == "en"
    first = tab.evaluate("document.querySelector('a.skip-link')?.getAttribute('href')")
    assert first in ("#main", "#rows")


def test_claims_list_reflows_with_every_column_visible(tab):
    tab.goto(tab.base + "/evidence/claims")
    row = tab.locator(".claims-list tbody tr").first
    for column in ("quote", "section_id", "type", "basis", "supporting_sources", "status"):
        box = row.locator(f"td.col-{column}").bounding_box()
        assert box is not None, column
        assert box["x"] >= 0 and box["x"] + box["width"] <= tab.width, (column, box)
    basis = row.locator("td.col-basis .basis-badge").inner_text()
    assert basis.strip()  # the basis in words, not a colour alone
    top = row.bounding_box()["y"]
    if tab.width == 390:
        assert top < 900, top  # within the first screen: filters and facets are folded
        assert not tab.locator(".facet-results").is_visible()
        tab.locator("details.table-tools > summary").click()
        assert tab.locator(".facet-results").is_visible()
    else:
        assert tab.locator(".facet-results").is_visible()  # unfolded on a wide screen


def tab_stops_to(tab, href: str, limit: int = 80) -> int:
    for stops in range(1, limit + 1):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.getAttribute('href')") == href:
            return stops
    return limit + 1


def test_few_tab_stops_come_before_the_first_claim(tab):
    tab.goto(tab.base + "/evidence/claims")
    first = tab.locator(".claims-list a.quote-link").first.get_attribute("href")
    if tab.width == 390:  # filters and facets folded: the plain order is short
        assert tab_stops_to(tab, first) <= 25
    # the skip link is the first stop and leads to the rows: then the first claim (after
    # the column headers' sort links on a wide screen)
    tab.goto(tab.base + "/evidence/claims")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    tab.keyboard.press("Enter")
    assert tab_stops_to(tab, first) == (1 if tab.width == 390 else 8)


def test_the_section_charts_numbers_never_run_together(tab):
    for path in ("/", "/evidence/guides/hasesener"):
        tab.goto(tab.base + path)
        tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        problems = tab.evaluate("""() => {
          const out = [];
          for (const bar of document.querySelectorAll('.bar')) {
            const shown = [...bar.querySelectorAll('.seg')].filter(
              s => getComputedStyle(s).color !== 'rgba(0, 0, 0, 0)' && s.textContent.trim());
            for (const s of shown) {
              if (s.scrollWidth > s.clientWidth) out.push('cut: ' + s.textContent);
            }
            for (let i = 1; i < shown.length; i++) {
              const a = shown[i - 1].getBoundingClientRect(), b = shown[i].getBoundingClientRect();
              const range = document.createRange();
              range.selectNodeContents(shown[i - 1]);
              const ta = range.getBoundingClientRect();
              range.selectNodeContents(shown[i]);
              const tb = range.getBoundingClientRect();
              if (tb.left - ta.right < 4) out.push(shown[i-1].textContent + '|' + shown[i].textContent);
            }
          }
          return out; }""")
        assert problems == [], (path, tab.width, problems)


def test_the_reading_view_needs_no_script(browser, server):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390,
                                                                       "height": 900})
    page = context.new_page()
    page.goto(server + "/evidence/guides/hasesener?basis=trial")
    marks = page.locator("article.guide-text a.claim-mark")
    assert marks.count() == 2
    assert page.locator("article.guide-text").get_attribute("lang") == "da"
    marks.first.click()
    assert page.url.endswith("/evidence/claims/h-loading")
    context.close()


@pytest.fixture(scope="module")
def retired_server(tmp_path_factory):
    with serve_public(build_retired_project(tmp_path_factory.mktemp("retired"))) as live:
        yield live.base


def test_a_retired_claim_s_page_reads_at_every_width(tab, axe, retired_server):
    tab.goto(retired_server + "/evidence/claims/h-walk")
    assert "Retired:" in tab.locator(".notice-retired").inner_text()
    width, client = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client and tab.evaluate(SIDEWAYS) == [], tab.width
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:5]])
        for v in axe.run(tab).response["violations"] if v["impact"] in ("critical", "serious")]
    assert violations == [], (tab.width, violations)
