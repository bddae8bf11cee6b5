"""LaTeX in BibTeX values, decoded: as plain text for display and as CSL rich text."""

from __future__ import annotations

import re
from functools import lru_cache

from evidence.bib.richtext import strip_markup

# What makes a value need the decoder: a macro, a group, a tie, math, or TeX's
# dash and quote ligatures. Anything else is its own text (bare & % # included).
NEEDS_LATEX = re.compile(r"[\\{}~$]|--|``|''")
# No character LaTeX gives a meaning beyond grouping: no macros, math, ties,
# comments, specials or quote ligatures.
_BRACES_ONLY = re.compile(r"[^\\$~%&#^_`'\[\]]*")


def _balanced(value: str) -> bool:
    depth = 0
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


@lru_cache(maxsize=65536)
def latex_to_text(value: str) -> str:
    """Decode LaTeX for display: the words of :func:`latex_to_csl` without its markup,
    so the database, the pages and the CSL export read every value alike
    (``\\href{url}{words}`` is its words, ``Sz\\~{u}cs`` is Szũcs, ``50%`` is text).

    Memoised, and values with no LaTeX but braces skip the parser: names and
    journals recur across a bibliography, and the parser is slow."""
    if not NEEDS_LATEX.search(value):
        return " ".join(value.split())
    if _BRACES_ONLY.fullmatch(value) and "--" not in value and _balanced(value):
        # Text whose only LaTeX is grouping braces ("{MRI} of the {Achilles}"):
        # what pylatexenc makes of it, without pylatexenc (a test holds them equal).
        return " ".join(value.replace("{", "").replace("}", "").split())
    return strip_markup(latex_to_csl(value))


_FORMAT_MACROS = {
    "emph": ("<i>", "</i>"),
    "textit": ("<i>", "</i>"),
    "textsl": ("<i>", "</i>"),
    "mkbibemph": ("<i>", "</i>"),
    "textbf": ("<b>", "</b>"),
    "mkbibbold": ("<b>", "</b>"),
    "textsc": ('<span style="font-variant:small-caps;">', "</span>"),
    "textsuperscript": ("<sup>", "</sup>"),
    "mkbibsuperscript": ("<sup>", "</sup>"),
    "textsubscript": ("<sub>", "</sub>"),
    "mkbibsubscript": ("<sub>", "</sub>"),
    "textup": ("", ""),
    "textrm": ("", ""),
    "textnormal": ("", ""),
    "url": ("", ""),
    "nolinkurl": ("", ""),
}
_BARE_SPECIAL = re.compile(r"(?<!\\)([&%#])")
_converter = None


def _latex():
    global _converter
    if _converter is None:
        from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
        from pylatexenc.latex2text import get_default_latex_context_db as text_db
        from pylatexenc.latexwalker import get_default_latex_context_db as walker_db
        from pylatexenc.macrospec import MacroSpec, MacroStandardArgsParser

        walker = walker_db()
        walker.add_context_category("evidence", prepend=True, macros=[
            MacroSpec(name, args_parser=MacroStandardArgsParser("{"))
            for name in _FORMAT_MACROS if walker.get_macro_spec(name) is None
        ] + [MacroSpec("href", args_parser=MacroStandardArgsParser("{{"))])
        texts = text_db()
        texts.add_context_category("evidence", prepend=True,
                                   macros=[MacroTextSpec("href", "%(2)s")])
        _converter = (walker, LatexNodes2Text(latex_context=texts, math_mode="text",
                                              keep_braced_groups=False))
    return _converter


@lru_cache(maxsize=65536)
def latex_to_csl(value: str) -> str:
    """Decode LaTeX into CSL rich text: accents, dashes and quotes decoded,
    ``{Protected}`` groups as ``<span class="nocase">``, ``\\emph`` as ``<i>``.

    Memoised, and values whose only LaTeX is grouping braces and dashes skip
    the parser (a third of cdl.bib's values that need decoding; pylatexenc
    takes about 0.3 ms each): :func:`_braces_to_csl` gives what it gives, a
    property test holds them equal."""
    if not NEEDS_LATEX.search(value):
        return " ".join(value.split())
    if _BRACES_ONLY.fullmatch(value) and _balanced(value):
        return _braces_to_csl(value)
    return _parsed_to_csl(value)


def _braces_to_csl(value: str) -> str:
    """Text whose only LaTeX is braces and dashes, as pylatexenc reads it: each
    outer brace group protects its case (nested braces only group), and
    ``--`` and ``---`` within a run of text are the en and em dash."""
    out: list[str] = []
    group: list[str] = []
    depth = 0
    for token in _BRACE.split(value):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                content = "".join(group)
                group = []
                out.append(f'<span class="nocase">{content}</span>' if content.strip()
                           else content)
        elif depth:
            group.append(_dashes(token))
        else:
            out.append(_dashes(token))
    return " ".join("".join(out).split())


_BRACE = re.compile(r"([{}])")


def _dashes(text: str) -> str:
    return text.replace("---", "\u2014").replace("--", "\u2013")


def _parsed_to_csl(value: str) -> str:
    from pylatexenc.latexwalker import LatexWalker

    walker_db, to_text = _latex()
    # A bare & % or # in a field is text (Crossref titles carry them), not LaTeX.
    value = _BARE_SPECIAL.sub(r"\\\1", value)
    try:
        nodes, _, _ = LatexWalker(value, latex_context=walker_db,
                                  tolerant_parsing=True).get_latex_nodes()
        text = _render_nodes(nodes, to_text, top=True)
    except Exception:  # noqa: BLE001 - pylatexenc raises many kinds of error on odd input
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _render_nodes(nodes, to_text, top: bool) -> str:
    from pylatexenc.latexwalker import LatexGroupNode, LatexMacroNode

    out = []
    for node in nodes or []:
        if node is None:
            continue
        if isinstance(node, LatexGroupNode) and node.delimiters == ("{", "}"):
            inner = node.nodelist or []
            first = next((n for n in inner if not _is_blank(n)), None)
            content = _render_nodes(inner, to_text, top=False)
            if top and first is not None and not isinstance(first, LatexMacroNode):
                # A brace group in a BibTeX value protects its case.
                out.append(f'<span class="nocase">{content}</span>' if content.strip()
                           else content)
            else:
                out.append(content)
        elif isinstance(node, LatexMacroNode) and node.macroname in _FORMAT_MACROS:
            start, end = _FORMAT_MACROS[node.macroname]
            args = node.nodeargd.argnlist if node.nodeargd else []
            arg = args[-1] if args else None
            inner = _render_nodes(arg.nodelist if hasattr(arg, "nodelist") else [arg],
                                  to_text, top=False) if arg is not None else ""
            out.append(f"{start}{inner}{end}" if inner else "")
        elif isinstance(node, LatexMacroNode) and node.macroname == "href":
            args = node.nodeargd.argnlist if node.nodeargd else []
            arg = args[-1] if args else None
            out.append(_render_nodes(arg.nodelist if hasattr(arg, "nodelist") else [],
                                     to_text, top=False) if arg is not None else "")
        else:
            out.append(to_text.nodelist_to_text([node]))
    return "".join(out)


def _is_blank(node) -> bool:
    from pylatexenc.latexwalker import LatexCharsNode

    return isinstance(node, LatexCharsNode) and not node.chars.strip()
