"""Bibliographies: which sources, in which order, formatted how (DESIGN §8).

**Engine.** pandoc's citeproc (the binary of pypandoc-binary) formats the
whole list in one call: CSL-JSON in on stdin (``-f csljson --citeproc``), the
pandoc document tree out (``-t json``). From that tree this module writes
plain text, Markdown and HTML itself, entry by entry, so every format comes
from the same single pandoc run and HTML is escaped by construction.

**Order.** A numeric style (AMA, NLM) numbers the entries in the order they
are given; a style with its own sort (APA) sorts them. For a guide the order
given is the guide's numbering:

1. when the guide has a printed reference section (``## Kilder``,
   ``## References`` …) whose items carry DOIs (or the exact title of a
   source), that list *is* the guide's numbering: its sources come first, in
   printed order. The printed guide cites no numbers in its text, so the
   Kilder list is the only numbering it has, and the generated list must
   equal it;
2. then every other source the guide's claims link, in order of first
   citation: claims taken in guide order (the offset of their quote), links
   in the order written.

A section's or a claim's list keeps the guide's relative order.

**Selection.** A guide, a section or claims select the sources their claims
link as ``supports`` or ``mentions`` (with ``include_all``: every relation);
for a whole guide the printed reference list is included too. Citekeys are
taken as given; with nothing else selected, ``include_all`` means every
source of references.bib, in file order.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evidence.bibliography.styles import DEFAULT_STYLE, Style, resolve_style
from evidence.errors import EvidenceError

FORMATS = ("text", "markdown", "html", "bibtex", "csl-json", "ris")
STYLED_FORMATS = ("text", "markdown", "html")
FORMAT_ALIASES = {
    "plain": "text", "txt": "text", "md": "markdown", "bib": "bibtex",
    "json": "csl-json", "csljson": "csl-json", "htm": "html",
}
FORMAT_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".bib": "bibtex", ".json": "csl-json",
    ".ris": "ris",
}
CITED_RELATIONS = ("supports", "mentions")
REFERENCE_HEADINGS = frozenset({
    "kilder", "kildeliste", "referencer", "litteratur", "litteraturliste",
    "references", "reference list", "bibliography", "sources", "literature",
    "works cited", "quellen", "literatur", "literaturverzeichnis", "références",
    "bibliographie", "referencias", "bibliografía", "fuentes", "referenser", "källor",
    "kilder og referencer", "referanser", "litteraturliste og kilder",
})
# CSL locales pandoc carries inside its binary (no download needed).
PANDOC_LOCALES = (
    "af-ZA", "ar", "bg-BG", "ca-AD", "cs-CZ", "cy-GB", "da-DK", "de-AT", "de-CH",
    "de-DE", "el-GR", "en-GB", "en-US", "es-CL", "es-ES", "es-MX", "et-EE", "eu",
    "fa-IR", "fi-FI", "fr-CA", "fr-FR", "he-IL", "hi-IN", "hr-HR", "hu-HU", "id-ID",
    "is-IS", "it-IT", "ja-JP", "km-KH", "ko-KR", "la", "lt-LT", "lv-LV", "mn-MN",
    "nb-NO", "nl-NL", "nn-NO", "pl-PL", "pt-BR", "pt-PT", "ro-RO", "ru-RU", "sk-SK",
    "sl-SI", "sr-RS", "sv-SE", "th-TH", "tr-TR", "uk-UA", "vi-VN", "zh-CN", "zh-TW",
)
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")


class PandocMissing(EvidenceError):
    """pandoc is not installed where the engine looks for it."""


class PandocFailed(EvidenceError):
    """pandoc ran and failed."""


class SelectionError(EvidenceError):
    """A selection that names no guide, section, claim or source we know."""


def normalise_format(name: str) -> str:
    value = name.strip().lower()
    value = FORMAT_ALIASES.get(value, value)
    if value not in FORMATS:
        raise EvidenceError(f"unknown output format {name!r} (formats: {', '.join(FORMATS)})")
    return value


def normalise_locale(locale: str | None) -> str | None:
    """Check a locale against the CSL locales pandoc carries; None stays None."""
    if not locale:
        return None
    value = locale.strip().replace("_", "-")
    known = {loc.lower(): loc for loc in PANDOC_LOCALES}
    if value.lower() in known:
        return known[value.lower()]
    language = value.split("-")[0].lower()
    if any(loc.lower().split("-")[0] == language for loc in PANDOC_LOCALES):
        return value  # pandoc falls back to the language's main locale
    raise EvidenceError(
        f"unknown locale {locale!r}: pandoc formats in these locales: "
        + ", ".join(PANDOC_LOCALES)
    )


# --- pandoc -----------------------------------------------------------------

@lru_cache(maxsize=1)
def _pypandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_executable() -> str:
    """The pandoc binary: ``EVIDENCE_PANDOC``, pypandoc-binary's, or on PATH."""
    configured = os.environ.get("EVIDENCE_PANDOC")
    if configured:
        if not Path(configured).is_file():
            raise PandocMissing(
                f"EVIDENCE_PANDOC is {configured!r}, which is not a file: point it at a "
                "pandoc binary or unset it to use the one pypandoc-binary installs"
            )
        return configured
    try:
        path = _pypandoc_path()
    except (ImportError, OSError, RuntimeError):
        path = shutil.which("pandoc")
    if not path or not Path(path).exists():
        raise PandocMissing(
            "pandoc was not found: it formats bibliographies. Install it with "
            "`pip install pypandoc-binary` (ships pandoc 3), or set EVIDENCE_PANDOC "
            "to a pandoc binary"
        )
    return path


def run_citeproc(items: list[dict], style: Style, locale: str | None = None,
                 timeout: float = 300) -> dict:
    """Format CSL-JSON items with pandoc's citeproc; return pandoc's JSON tree."""
    args = [pandoc_executable(), "-f", "csljson", "-t", "json", "--citeproc",
            "--csl", str(style.path)]
    if locale:
        args += ["-M", f"lang={locale}"]
    payload = json.dumps(items, ensure_ascii=False).encode("utf-8")
    try:
        proc = subprocess.run(args, input=payload, capture_output=True, timeout=timeout,
                              check=False)
    except FileNotFoundError as exc:
        raise PandocMissing(
            f"pandoc could not be started ({exc}): install it with "
            "`pip install pypandoc-binary`"
        ) from None
    except subprocess.TimeoutExpired:
        raise PandocFailed(f"pandoc took longer than {timeout:.0f} s formatting "
                           f"{len(items)} entries") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PandocFailed(f"pandoc failed formatting with style {style.name!r}: "
                           + (message[0] if message else f"exit {proc.returncode}"))
    return json.loads(proc.stdout)


# --- formatted entries --------------------------------------------------------

@dataclass
class FormattedEntry:
    key: str
    label: str | None  # "1." for numeric styles; None when the style prints none
    inlines: list = field(repr=False)

    @property
    def text(self) -> str:
        return _collapse(_to_text(self.inlines))

    @property
    def markdown(self) -> str:
        return _collapse(_to_markdown(self.inlines))

    @property
    def html(self) -> str:
        return _collapse(_to_html(self.inlines))


@dataclass
class Bibliography:
    entries: list[FormattedEntry]
    style: Style
    locale: str | None

    def render(self, fmt: str) -> str:
        fmt = normalise_format(fmt)
        if fmt == "text":
            return self.as_text()
        if fmt == "markdown":
            return self.as_markdown()
        if fmt == "html":
            return self.as_html()
        raise EvidenceError(f"{fmt} is not a formatted output; see evidence.bibliography.export")

    def as_text(self) -> str:
        lines = [f"{e.label} {e.text}" if e.label else e.text for e in self.entries]
        return "".join(line + "\n" for line in lines)

    def as_markdown(self) -> str:
        lines = []
        for entry in self.entries:
            body = entry.markdown
            if entry.label and re.fullmatch(r"\d+\.", entry.label):
                lines.append(f"{entry.label} {body}")
            elif entry.label:
                lines.append(f"- {_md_escape(entry.label)} {body}")
            else:
                lines.append(f"- {_md_escape_start(body)}")
        return "".join(line + "\n" for line in lines)

    def as_html(self) -> str:
        style = html.escape(self.style.name)
        out = [f'<div class="references csl-bib-body" role="list" data-style="{style}">']
        for entry in self.entries:
            label = (f'<div class="csl-left-margin">{html.escape(entry.label)} </div>'
                     f'<div class="csl-right-inline">{entry.html}</div>'
                     if entry.label else entry.html)
            out.append(f'<div id="ref-{html.escape(entry.key)}" class="csl-entry" '
                       f'role="listitem">{label}</div>')
        out.append("</div>")
        return "\n".join(out) + "\n"


def format_items(items: list[dict], style: Style | str | None = None,
                 locale: str | None = None) -> Bibliography:
    """Format CSL-JSON items in one pandoc run.

    For a numeric style the entries come out in the order of ``items``.
    ``locale`` defaults to the style's own default locale (pandoc: en-US).
    """
    if not isinstance(style, Style):
        style = resolve_style(style or DEFAULT_STYLE)
    locale = normalise_locale(locale)
    if not items:
        return Bibliography([], style, locale)
    seen = set()
    for item in items:
        if item["id"] in seen:
            raise EvidenceError(f"source {item['id']!r} is given twice")
        seen.add(item["id"])
    document = run_citeproc(items, style, locale)
    return Bibliography(_entries(document), style, locale)


def _entries(document: dict) -> list[FormattedEntry]:
    refs = _find_refs(document.get("blocks", []))
    entries = []
    for block in refs or []:
        if block.get("t") != "Div":
            continue
        (ident, _, _), content = block["c"]
        if not ident.startswith("ref-"):
            continue
        key = ident[4:]
        label = None
        body: list = []
        for child in content:
            if child.get("t") == "Div" and "csl-left-margin" in child["c"][0][1]:
                label = _collapse(_to_text(_block_inlines(child["c"][1]))) or None
            else:
                if body:
                    body.append({"t": "Space"})
                body.extend(_block_inlines([child]))
        # pandoc puts an aligned number in a span (csl-left-margin) before the
        # entry's text (csl-right-inline).
        if body and body[0].get("t") == "Span" and "csl-left-margin" in body[0]["c"][0][1]:
            label = _collapse(_to_text(body[0]["c"][1])) or None
            body = body[1:]
        body = [i for node in body for i in
                (node["c"][1] if node.get("t") == "Span"
                 and "csl-right-inline" in node["c"][0][1] else [node])]
        entries.append(FormattedEntry(key, label, body))
    return entries


def _find_refs(blocks: list) -> list | None:
    for block in blocks:
        if block.get("t") == "Div":
            (ident, _, _), content = block["c"]
            if ident == "refs":
                return content
            found = _find_refs(content)
            if found is not None:
                return found
    return None


def _block_inlines(blocks: list) -> list:
    out: list = []
    for block in blocks:
        kind = block.get("t")
        if kind in ("Para", "Plain"):
            inlines = block["c"]
        elif kind == "Div":
            inlines = _block_inlines(block["c"][1])
        elif kind == "LineBlock":
            inlines = [i for line in block["c"] for i in line + [{"t": "Space"}]]
        else:
            continue
        if out and inlines:
            out.append({"t": "Space"})
        out.extend(inlines)
    return out


# --- inline renderers ---------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SAFE_URL = re.compile(r"^(?:https?|ftp|mailto):", re.IGNORECASE)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _quote_marks(node) -> tuple[str, str]:
    kind = node["c"][0]["t"] if isinstance(node["c"][0], dict) else node["c"][0]
    return ("‘", "’") if kind == "SingleQuote" else ("“", "”")


def _children(node) -> list:
    t, c = node["t"], node.get("c")
    if t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
             "SmallCaps"):
        return c
    if t in ("Quoted", "Cite"):
        return c[1]
    if t in ("Span", "Link", "Image"):
        return c[1]
    return []


def _to_text(inlines: list) -> str:
    out = []
    for node in inlines:
        t = node["t"]
        if t == "Str":
            out.append(node["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "Math"):
            out.append(node["c"][1])
        elif t == "RawInline":
            continue
        elif t == "Quoted":
            start, end = _quote_marks(node)
            out.append(start + _to_text(node["c"][1]) + end)
        elif t == "SmallCaps":
            out.append(_to_text(node["c"]).upper())
        elif t == "Superscript":
            inner = _to_text(node["c"])
            mapped = inner.translate(_SUPERSCRIPT)
            out.append(mapped if all(ch != m or ch.isspace() for ch, m in zip(inner, mapped))
                       else "^" + inner)
        elif t == "Subscript":
            inner = _to_text(node["c"])
            mapped = inner.translate(_SUBSCRIPT)
            out.append(mapped if all(ch != m for ch, m in zip(inner, mapped)) else "_" + inner)
        elif t == "Note":
            continue
        else:
            out.append(_to_text(_children(node)))
    return "".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_escape_start(body: str) -> str:
    """Keep a list item's text from starting a nested list or heading."""
    match = re.match(r"^(\d+)([.)])", body)
    if match:
        return match.group(1) + "\\" + body[len(match.group(1)):]
    if body[:1] in "#+-":
        return "\\" + body
    return body


def _to_markdown(inlines: list) -> str:
    out = []
    for node in inlines:
        t = node["t"]
        if t == "Str":
            out.append(_md_escape(node["c"]))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t == "Emph":
            out.append(_wrap("*", _to_markdown(node["c"])))
        elif t == "Strong":
            out.append(_wrap("**", _to_markdown(node["c"])))
        elif t == "Strikeout":
            out.append(_wrap("~~", _to_markdown(node["c"])))
        elif t == "Underline":
            out.append(f"<u>{_to_markdown(node['c'])}</u>")
        elif t == "Superscript":
            out.append(f"<sup>{_to_markdown(node['c'])}</sup>")
        elif t == "Subscript":
            out.append(f"<sub>{_to_markdown(node['c'])}</sub>")
        elif t == "SmallCaps":
            out.append(f'<span style="font-variant:small-caps">{_to_markdown(node["c"])}</span>')
        elif t == "Quoted":
            start, end = _quote_marks(node)
            out.append(start + _to_markdown(node["c"][1]) + end)
        elif t in ("Code", "Math"):
            out.append(_md_escape(node["c"][1]))
        elif t == "Link":
            text = _to_markdown(node["c"][1])
            url = node["c"][2][0]
            if not _SAFE_URL.match(url):
                out.append(text)
            elif _to_text(node["c"][1]) == url:
                out.append(f"<{url}>")
            else:
                out.append(f"[{text}]({url.replace(')', '%29').replace(' ', '%20')})")
        elif t in ("RawInline", "Note"):
            continue
        else:
            out.append(_to_markdown(_children(node)))
    return "".join(out)


def _wrap(marker: str, text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{marker}{stripped}{marker}{trail}"


_HTML_TAGS = {
    "Emph": "em", "Strong": "strong", "Underline": "u", "Strikeout": "s",
    "Superscript": "sup", "Subscript": "sub",
}


def _to_html(inlines: list) -> str:
    out = []
    for node in inlines:
        t = node["t"]
        if t == "Str":
            out.append(html.escape(node["c"], quote=False))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in _HTML_TAGS:
            tag = _HTML_TAGS[t]
            out.append(f"<{tag}>{_to_html(node['c'])}</{tag}>")
        elif t == "SmallCaps":
            out.append(f'<span style="font-variant:small-caps">{_to_html(node["c"])}</span>')
        elif t == "Quoted":
            start, end = _quote_marks(node)
            out.append(start + _to_html(node["c"][1]) + end)
        elif t in ("Code", "Math"):
            out.append(f"<code>{html.escape(node['c'][1], quote=False)}</code>")
        elif t == "Link":
            text = _to_html(node["c"][1])
            url = node["c"][2][0]
            if _SAFE_URL.match(url):
                out.append(f'<a href="{html.escape(url, quote=True)}">{text}</a>')
            else:
                out.append(text)
        elif t == "Span":
            classes = [c for c in node["c"][0][1] if c != "nocase"]
            inner = _to_html(node["c"][1])
            if classes:
                out.append(f'<span class="{html.escape(" ".join(classes))}">{inner}</span>')
            else:
                out.append(inner)
        elif t in ("RawInline", "Note"):
            continue
        else:
            out.append(_to_html(_children(node)))
    return "".join(out)


# --- selection and order --------------------------------------------------------

@dataclass
class Selection:
    keys: list[str]
    style: str  # the default style for this selection
    guide_id: str | None = None
    warnings: list[str] = field(default_factory=list)


def printed_reference_keys(guide, references) -> list[str] | None:
    """The citekeys of the guide's printed reference list (Kilder), in printed order.

    ``guide`` is an :class:`evidence.guide.document.Guide`. An item is matched to a
    source by a DOI it carries, else by containing the source's exact title.
    None when the guide has no such section or none of its items match.
    """
    return match_printed_references(
        guide, {doi: s.key for doi, s in references.by_doi().items()},
        {s.key: s.text("title") for s in references})


def match_printed_references(guide, key_by_doi: dict[str, str],
                             titles: dict[str, str | None]) -> list[str] | None:
    """:func:`printed_reference_keys` on plain maps (DOI -> key, key -> title)."""
    section = reference_section(guide)
    if section is None:
        return None
    by_title = {}
    for key, title in titles.items():
        if title and len(title) > 12:
            by_title.setdefault(" ".join(title.split()).lower(), key)
    keys: list[str] = []
    for block in section.blocks:
        if block.kind not in ("item", "paragraph"):
            continue
        key = _match_reference(block.text, key_by_doi, by_title)
        if key and key not in keys:
            keys.append(key)
    return keys or None


def reference_section(guide):
    """The guide's printed reference section (``## Kilder`` …), or None."""
    for section in reversed(guide.sections):
        heading = section.heading.strip().strip(":").strip().lower()
        if heading in REFERENCE_HEADINGS:
            return section
    return None


def _match_reference(text: str, key_by_doi: dict, by_title: dict) -> str | None:
    for match in _DOI_IN_TEXT.finditer(text):
        doi = match.group(1).rstrip(".,;)]").lower()
        if doi in key_by_doi:
            return key_by_doi[doi]
    lowered = " ".join(text.split()).lower()
    for title, key in by_title.items():
        if title in lowered:
            return key
    return None


def numbering(printed: list[str] | None, cited_in_order) -> list[str]:
    """The guide's numbering: the printed list, then first citation.

    ``cited_in_order``: the citekeys the guide's claims link, claims in guide
    order and links in the order written (repeats allowed).
    """
    order = list(dict.fromkeys(printed or []))
    placed = set(order)
    for key in cited_in_order:
        if key not in placed:
            order.append(key)
            placed.add(key)
    return order


def guide_order(data, references) -> list[str]:
    """The guide's numbering of its sources (see the module's docstring).

    ``data`` is a :class:`evidence.project.GuideData`. Every source the
    guide's claims link (any relation) gets a place.
    """
    return numbering(printed_reference_keys(data.guide, references),
                     (link.source for claim in data.claims_in_order()
                      for link in claim.evidence))


def _linked(claims, relations) -> set[str]:
    return {link.source for claim in claims for link in claim.evidence
            if relations is None or link.relation in relations}


def select(project, *, guide: str | None = None, section: str | None = None,
           claims: tuple[str, ...] | list[str] = (), keys: tuple[str, ...] | list[str] = (),
           include_all: bool = False) -> Selection:
    """The sources a bibliography shows, in the guide's order (see the docstring)."""
    references = project.references
    relations = None if include_all else CITED_RELATIONS
    warnings: list[str] = []
    style = DEFAULT_STYLE
    if keys and (guide or section or claims):
        raise SelectionError("give citekeys or a guide/section/claim, not both")

    if keys:
        missing = [k for k in keys if k not in references]
        if missing:
            raise SelectionError(_unknown_keys(missing, references))
        ordered = list(dict.fromkeys(keys))
        return Selection(ordered, style)

    if not (guide or section or claims):
        if include_all:
            return Selection([s.key for s in references], style)
        raise SelectionError("nothing selected: give --guide, --section, --claim, --key "
                             "or --all")

    data = project.guide(guide) if guide else None
    chosen_claims = []
    if claims:
        by_id = {}
        for g in project.guides:
            for c in g.claims:
                by_id[c.id] = (g, c)
        for claim_id in claims:
            if claim_id not in by_id:
                import difflib

                close = difflib.get_close_matches(claim_id, list(by_id), n=3)
                raise SelectionError(f"no claim {claim_id!r}"
                                     + (f" (did you mean: {', '.join(close)}?)" if close else ""))
            owner, claim = by_id[claim_id]
            if data is not None and owner.id != data.id:
                raise SelectionError(f"claim {claim_id!r} belongs to guide {owner.id!r}, "
                                     f"not {data.id!r}")
            data = owner
            chosen_claims.append(claim)
    if section:
        candidates = [data] if data is not None else project.guides
        found = [(g, s) for g in candidates for s in [g.guide.find_section(section)] if s]
        if not found:
            headings = [s.heading for g in candidates for s in g.guide.sections]
            raise SelectionError(f"no section {section!r}"
                                 + (f" (sections: {'; '.join(headings)})" if headings else ""))
        if len(found) > 1:
            raise SelectionError(f"section {section!r} is in several guides "
                                 f"({', '.join(g.id for g, _ in found)}): add --guide")
        data, wanted = found[0]
        unanchored = [c.id for c in data.claims if c.id not in data.anchors]
        if unanchored:
            warnings.append(f"{len(unanchored)} claim(s) of {data.id} do not anchor in "
                            f"guide.md and are left out: {', '.join(unanchored[:5])}")
        in_section = [c for c in data.claims
                      if c.id in data.anchors and data.anchors[c.id].section.id == wanted.id]
        chosen_claims.extend(c for c in in_section if c not in chosen_claims)

    assert data is not None
    style = data.claims_file.meta.style or DEFAULT_STYLE
    order = guide_order(data, references)
    if chosen_claims:
        wanted_keys = _linked(chosen_claims, relations)
    else:  # the whole guide
        wanted_keys = _linked(data.claims, relations)
        wanted_keys |= set(printed_reference_keys(data.guide, references) or [])
    missing = sorted(k for k in wanted_keys if k not in references)
    if missing:
        raise SelectionError(_unknown_keys(missing, references))
    selected = [k for k in order if k in wanted_keys]
    return Selection(selected, style, data.id, warnings)


def _unknown_keys(missing: list[str], references) -> str:
    import difflib

    parts = []
    for key in missing:
        close = difflib.get_close_matches(key, [s.key for s in references], n=1)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return "unknown citekey " + ", ".join(parts) + " in references.bib"


# --- one call from selection to text --------------------------------------------

def render(references, keys: list[str], fmt: str, style: str | os.PathLike | None = None,
           locale: str | None = None) -> str:
    """The selected sources in one output format, as text."""
    from evidence.bib.csl import source_to_csl
    from evidence.bibliography import export

    fmt = normalise_format(fmt)
    sources = [references.get(k) for k in keys]
    if fmt == "bibtex":
        return export.to_bibtex(sources, references)
    items = [source_to_csl(s) for s in sources]
    if fmt == "csl-json":
        return export.to_csl_json(items)
    if fmt == "ris":
        return export.to_ris(items)
    return format_items(items, resolve_style(style or DEFAULT_STYLE), locale).render(fmt)


def make(root, *, guide: str | None = None, section: str | None = None,
         claims=(), keys=(), include_all: bool = False, style: str | None = None,
         locale: str | None = None, fmt: str = "text") -> tuple[str, Selection]:
    """Load the project at ``root``, select, and render: what the CLI prints."""
    from evidence.bib.references import _failed_block_problem
    from evidence.errors import raise_if
    from evidence.project import load_project

    fmt = normalise_format(fmt)
    project = load_project(root, strict=False)
    references = project.references
    # A half-edited claim elsewhere need not stop a bibliography, but an
    # entry references.bib could not parse would silently go missing.
    raise_if([_failed_block_problem(references.path, block)
              for block in references.library.failed_blocks])
    selection = select(project, guide=guide, section=section, claims=tuple(claims),
                       keys=tuple(keys), include_all=include_all)
    if not selection.keys:
        selection.warnings.append("no sources selected")
    text = render(references, selection.keys, fmt, style or selection.style, locale)
    return text, selection
