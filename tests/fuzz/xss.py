"""A project with a script/HTML payload in every text field, and a checker.

Each field gets its own marker (``evil("title")``, ``<x-evil-title>``), so a
failure names the field that leaked. The checker parses a page as a browser
would and reports any element, event handler, script or ``javascript:`` URL
that came from the data.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import write_project


def payload(field: str) -> str:
    """Script, event handler, attribute break-out, SVG and a custom element."""
    return (f"<script>evil('{field}')</script><img src=x onerror=evil('{field}')>"
            f"\"'><x-evil-{field}>{{{{7*7}}}}<svg onload=evil('{field}')>")


def yaml_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


CITEKEY = "k<script>evil(1)</script><x-evil-citekey>"
DOI = "10.1234/\"><x-evil-doi><script>evil('doi')</script>"
CLAIM_ID = "c-<x-evil-claimid><script>evil('claimid')</script>"
FIELDS = ("heading", "guidetitle", "quote", "prefix", "consensus", "linknote", "locator",
          "reviewby", "reviewnote", "claimnote", "title", "author", "journal", "publisher",
          "volume", "pages", "note", "citekey", "doi", "claimid", "notice", "orcid", "url")


def make_payload_project(root: Path) -> Path:
    guide = f"""\
Indledning om knæet.

## Afsnit {payload('heading')}

Sætning med {payload('quote')} i sig.

Først {payload('prefix')} Gentaget sætning.

Så igen Gentaget sætning.

- Et punkt om hasen
"""
    claims = f"""\
guide:
  title: {yaml_text('Guide ' + payload('guidetitle'))}
  language: da
claims:
  - id: {yaml_text(CLAIM_ID)}
    quote: {yaml_text('Sætning med ' + payload('quote') + ' i sig.')}
    type: treatment
    note: {yaml_text(payload('claimnote'))}
    evidence:
      - source: {yaml_text(CITEKEY)}
        relation: supports
        locator: {yaml_text(payload('locator'))}
        note: {yaml_text(payload('linknote'))}
    review:
      status: verified
      by: {yaml_text(payload('reviewby'))}
      on: 2026-11-01
      note: {yaml_text(payload('reviewnote'))}
  - id: c-prefix
    quote: Gentaget sætning.
    prefix: {yaml_text(payload('prefix'))}
    type: treatment
    evidence:
      - source: plain2020
        relation: contradicts
  - id: c-consensus
    quote: Et punkt om hasen
    type: anatomy
    consensus: {yaml_text(payload('consensus'))}
"""
    bib = f"""\
@article{{{CITEKEY},
  author = {{{{{payload('author')}}} and Smith, John}},
  title = {{{payload('title')}}},
  journal = {{{payload('journal')}}},
  publisher = {{{payload('publisher')}}},
  year = {{2020}},
  volume = {{{payload('volume')}}},
  pages = {{{payload('pages')}}},
  note = {{{payload('note')}}},
  url = {{javascript:evil('url')}},
  doi = {{{DOI}}},
  orcids = {{"><x-evil-orcid><script>evil('orcid')</script>}},
  studydesign = {{randomised-trial}},
  metadatasource = {{manual}},
  updates = {{correction 10.1234/"><x-evil-notice>evil('notice') 2021-01-01 publisher}}
}}

@article{{plain2020,
  author = {{Jensen, Åse}},
  title = {{A plain cohort}},
  journal = {{J Test}},
  year = {{2020}},
  doi = {{10.1234/plain.2020}},
  studydesign = {{cohort}},
  metadatasource = {{manual}}
}}
"""
    return write_project(root, guide=guide, claims=claims, bib=bib, guide_id="xss")


class Sniffer(HTMLParser):
    """Everything on a page that a browser would run or build from the data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script = False
        self.data_block = False  # <script type="application/ld+json">: data, never run

    def handle_starttag(self, tag, attrs):
        if tag.startswith("x-evil"):
            self.found.append(f"element <{tag}>")
        if tag == "script":
            self.script = True
            self.data_block = dict(attrs).get("type") == "application/ld+json"
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on") and "evil" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name.startswith(("x-evil", "<x-evil")):
                self.found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") \
                    and value.lower().replace(" ", "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = False

    def handle_data(self, data):
        if self.script and self.data_block:
            # JSON-LD holds the data as JSON: harmless unless it could end its element
            # or is not JSON (then a browser would have cut it somewhere)
            import json

            if "<" in data:
                self.found.append(f"'<' in a JSON-LD block {data.strip()[:80]!r}")
            try:
                json.loads(data)
            except ValueError:
                self.found.append(f"JSON-LD that is not JSON {data.strip()[:80]!r}")
        elif self.script and "evil(" in data:
            self.found.append(f"script text {data.strip()[:80]!r}")


def leaks(page: str) -> list[str]:
    sniffer = Sniffer()
    sniffer.feed(page)
    sniffer.close()
    return sniffer.found
