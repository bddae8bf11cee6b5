"""Formatting CSL-JSON items with pandoc's citeproc, and writing the result (DESIGN §8).

**Engine.** pandoc's citeproc (the binary of pypandoc-binary) formats the
whole list in one call: the CSL-JSON items as its bibliography file
(``--bibliography``), a document that cites them all (``nocite: '@*'``) on
stdin, the pandoc document tree out (``-t json``). Given the same items as its
input instead (``-f csljson``), pandoc formats them the same (held equal on
every entry of cdl.bib in four styles) in 1.5 times the CPU, and writes them
all back into the tree's metadata: 2.4 MB of JSON to read at 1,000 entries
instead of 1 MB. From that tree this module writes
plain text, Markdown and HTML itself, entry by entry, so every format comes
from the same single pandoc run and HTML is escaped by construction.

It takes CSL-JSON and nothing else, so the publication, which reads the
items stored in evidence.db, formats with it without loading any parser of
the project's files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evidence.bib.csl_types import AND_OTHERS
from evidence.bibliography import early
from evidence.bibliography.styles import DEFAULT_STYLE, Style, resolve_style
from evidence.errors import EvidenceError
from evidence.perf import collector_paused

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
PANDOC_LOCALES = (
    "af-ZA", "ar", "bg-BG", "ca-AD", "cs-CZ", "cy-GB", "da-DK", "de-AT", "de-CH",
    "de-DE", "el-GR", "en-GB", "en-US", "es-CL", "es-ES", "es-MX", "et-EE", "eu",
    "fa-IR", "fi-FI", "fr-CA", "fr-FR", "he-IL", "hi-IN", "hr-HR", "hu-HU", "id-ID",
    "is-IS", "it-IT", "ja-JP", "km-KH", "ko-KR", "la", "lt-LT", "lv-LV", "mn-MN",
    "nb-NO", "nl-NL", "nn-NO", "pl-PL", "pt-BR", "pt-PT", "ro-RO", "ru-RU", "sk-SK",
    "sl-SI", "sr-RS", "sv-SE", "th-TH", "tr-TR", "uk-UA", "vi-VN", "zh-CN", "zh-TW",
)


class PandocMissing(EvidenceError):
    """pandoc is not installed where the engine looks for it."""


class PandocFailed(EvidenceError):
    """pandoc ran and failed."""


class PandocTimedOut(PandocFailed):
    """pandoc ran for longer than it was given."""



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


def bibliography_locale(style: Style, asked: str | None, language: str | None) -> str | None:
    """The locale a guide's bibliography is formatted in: the one asked for;
    else the style's own (``default-locale``: the house style says en-US, so a
    Danish guide's list keeps the English terms of its printed Kilder); else
    the guide's language (``da``: "red.", "I:", "m.fl.")."""
    if asked:
        return normalise_locale(asked)
    if style.default_locale or not language:
        return None
    try:
        return normalise_locale(language)
    except EvidenceError:
        return None  # a language pandoc has no locale for: its default


# --- pandoc -----------------------------------------------------------------

@lru_cache(maxsize=1)
def _pypandoc_path() -> str:
    """The pandoc that pypandoc-binary ships, found without importing pypandoc:
    its import takes 70 ms (urllib, email, ssl) and its search starts every
    pandoc it finds to compare versions, more than a small bibliography takes."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "files" / "pandoc"
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
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
        path: str | None = _pypandoc_path()
    except (ImportError, OSError, RuntimeError):
        import shutil  # only where pypandoc-binary's pandoc is missing

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
    import tempfile

    payload = json.dumps([_for_pandoc(item) for item in items],
                         ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="evidence-pandoc-") as folder:
        bibliography = Path(folder) / "references.json"  # .json: CSL-JSON to pandoc
        bibliography.write_bytes(payload)
        with Citeproc(bibliography, style, locale, len(items), timeout) as run:
            return run.document()


def pandoc_arguments(bibliography: Path, style: Style, locale: str | None) -> list[str]:
    """The pandoc command that formats every item of the CSL-JSON file
    ``bibliography`` (a document citing them all comes on stdin)."""
    args = [pandoc_executable(), "-f", "markdown", "-t", "json", "--citeproc",
            "--csl", str(style.path), "--bibliography", str(bibliography)]
    if locale:
        args += ["-M", f"lang={locale}"]
    return args


class Citeproc:
    """One pandoc citeproc run on a CSL-JSON file, started when made: the command
    can go on with its own work while pandoc formats, and :meth:`document` then
    waits for the tree. As a context manager it stops a pandoc whose answer was
    never read (an error came first)."""

    def __init__(self, bibliography: Path, style: Style, locale: str | None = None,
                 count: int | None = None, timeout: float = 300) -> None:
        self.style = style
        self.count = count  # the entries pandoc formats, for the timeout's message
        self.timeout = timeout
        self.args = pandoc_arguments(bibliography, style, locale)
        self._process = _start_pandoc(self.args)

    def __enter__(self) -> Citeproc:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.returncode is None:
            self._process.kill()
            self._process.communicate()

    def document(self) -> dict:
        """pandoc's JSON tree, once it has exited; PandocFailed if it failed."""
        try:
            stdout, stderr = self._process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            entries = "" if self.count is None else f" {self.count} entries"
            raise PandocTimedOut(f"pandoc took longer than {self.timeout:.0f} s formatting"
                               f"{entries}") from None
        if self._process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            raise PandocFailed(f"pandoc failed formatting with style {self.style.name!r}: "
                               + (message[0] if message else
                                  f"exit {self._process.returncode}"))
        return json.loads(stdout)


def _start_pandoc(args: list[str]) -> subprocess.Popen:
    """pandoc started on ``args``, or the same call started early (early.take)."""
    process = early.take(args)
    if process is not None:
        return process
    try:
        return early.start_pandoc(args)
    except FileNotFoundError as exc:
        raise PandocMissing(
            f"pandoc could not be started ({exc}): install it with "
            "`pip install pypandoc-binary`"
        ) from None


def _for_pandoc(item: dict) -> dict:
    """The item as pandoc reads it: a name list BibTeX ended with ``and others``
    (kept in ``custom``, as CSL has no such name) ends with pandoc's own
    ``{"literal": "others"}``, which its citeproc prints as the style's et-al
    term ("et al.", in Danish "m.fl.") and citeproc-js would print as a name."""
    incomplete = (item.get("custom") or {}).get(AND_OTHERS)
    if not incomplete:
        return item
    item = dict(item)
    for variable in incomplete:
        if item.get(variable):
            item[variable] = [*item[variable], {"literal": "others"}]
    return item


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
        import html  # for HTML only: its import is a millisecond of every bibliography

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
    with collector_paused():  # pandoc's tree: many objects, no cycles (evidence/perf.py)
        document = run_citeproc(items, style, locale)
        return Bibliography(formatted_entries(document), style, locale)


def formatted_entries(document: dict) -> list[FormattedEntry]:
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
        entries.append(FormattedEntry(key, label, _unwrap_right_inline(body)))
    return entries


def _unwrap_right_inline(body: list) -> list:
    """The entry's inlines with those of pandoc's csl-right-inline spans in their
    place (a loop, not a comprehension of one-item lists: half the cost of
    reading the entries went to those)."""
    out: list = []
    for node in body:
        if node.get("t") == "Span" and "csl-right-inline" in node["c"][0][1]:
            out.extend(node["c"][1])
        else:
            out.append(node)
    return out


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
            out.append(mapped if all(ch != m or ch.isspace() for ch, m in zip(inner, mapped, strict=True))
                       else "^" + inner)
        elif t == "Subscript":
            inner = _to_text(node["c"])
            mapped = inner.translate(_SUBSCRIPT)
            out.append(mapped if all(ch != m for ch, m in zip(inner, mapped, strict=True)) else "_" + inner)
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


# Markdown for pandoc's inline containers: emphasis markers, or HTML where
# Markdown has none.
_MD_MARKERS = {"Emph": "*", "Strong": "**", "Strikeout": "~~"}
_MD_HTML = {"Underline": ("<u>", "</u>"), "Superscript": ("<sup>", "</sup>"),
            "Subscript": ("<sub>", "</sub>"),
            "SmallCaps": ('<span style="font-variant:small-caps">', "</span>")}


def _markdown_link(node) -> str:
    text = _to_markdown(node["c"][1])
    url = node["c"][2][0]
    if not _SAFE_URL.match(url):
        return text
    if _to_text(node["c"][1]) == url:
        return f"<{url}>"
    return f"[{text}]({url.replace(')', '%29').replace(' ', '%20')})"


def _markdown_node(node) -> str:
    t = node["t"]
    if t == "Str":
        return _md_escape(node["c"])
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in _MD_MARKERS:
        return _wrap(_MD_MARKERS[t], _to_markdown(node["c"]))
    if t in _MD_HTML:
        opening, closing = _MD_HTML[t]
        return f"{opening}{_to_markdown(node['c'])}{closing}"
    if t == "Quoted":
        start, end = _quote_marks(node)
        return start + _to_markdown(node["c"][1]) + end
    if t in ("Code", "Math"):
        return _md_escape(node["c"][1])
    if t == "Link":
        return _markdown_link(node)
    if t in ("RawInline", "Note"):
        return ""
    return _to_markdown(_children(node))


def _to_markdown(inlines: list) -> str:
    return "".join(_markdown_node(node) for node in inlines)


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
    import html  # see Bibliography.as_html

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
