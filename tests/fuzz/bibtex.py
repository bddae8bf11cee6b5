"""Hypothesis strategies for references.bib files whose meaning is known.

Each generated piece carries both its text as written and what the loader
must read from it, so a test can compare what was parsed with what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

# Plain characters of a braced value: Danish letters, punctuation, digits.
# Left out: braces and backslashes (generated as groups and LaTeX below), and
# `%`, `@`, `"`, which are generated on purpose where BibTeX allows them.
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZæøåÆØÅéüö0123456789 .,;:()-/'!?+=<>[]"
LATEX = [r"{\"a}", r"{\"o}", r"{\'e}", r"{\aa}", r"{\AA}", r"{\o}", r"{\O}", r"{\ae}", r"{\AE}",
         r"{\ss}", r"{\~n}", r"\&", r"\%", r"\_", r"\#", "--", "---", r"$\alpha$", r"\textit{x}",
         r"\"u", r"\'E", r"\o{}", "~"]
ENTRY_TYPES = ["article", "Article", "ARTICLE", "book", "misc", "inproceedings", "incollection"]
FIELD_NAMES = ["author", "title", "journal", "year", "volume", "number", "pages", "doi",
               "studydesign", "metadatasource", "note", "customfield", "orcids", "month",
               "publisher", "booktitle", "editor", "url", "abstract", "keywords"]

plain_words = st.text(alphabet=PLAIN, min_size=1, max_size=12)


@st.composite
def braced_content(draw, depth: int = 0, quoted: bool = False) -> str:
    """Text that may stand between the outer braces (or quotes) of a value."""
    pieces = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["plain", "plain", "latex", "group", "newline", "danish"]))
        if kind == "plain":
            pieces.append(draw(plain_words))
        elif kind == "danish":
            pieces.append(draw(st.sampled_from(["Ærø", "Århus", "sønderjysk", "Ødegård", "bæk"])))
        elif kind == "latex":
            latex = draw(st.sampled_from(LATEX))
            if quoted and '"' in latex:
                latex = "{" + latex + "}"  # a quote inside a "..." value must be braced
            pieces.append(latex)
        elif kind == "newline":
            pieces.append(draw(st.sampled_from(["\n  ", "\n    ", "\n\t"])))
        elif depth < 2:
            pieces.append("{" + draw(braced_content(depth + 1)) + "}")
    text = "".join(pieces)
    if quoted and depth == 0:
        text = text.replace('"', "")  # only braced quotes remain (inside groups)
    return text


@dataclass
class Value:
    written: str  # as it stands after `name = `
    raw: str  # what the loader keeps (Source.raw)


@st.composite
def values(draw, macros: tuple[str, ...] = ()) -> Value:
    kinds = ["braced", "braced", "braced", "quoted", "integer"]
    if macros:
        kinds += ["macro", "concat"]
    kind = draw(st.sampled_from(kinds))
    if kind == "braced":
        content = draw(braced_content())
        return Value("{" + content + "}", content)
    if kind == "quoted":
        content = draw(braced_content(quoted=True))
        return Value('"' + content + '"', content)
    if kind == "integer":
        number = str(draw(st.integers(0, 3000)))
        return Value(number, number)
    if kind == "macro":
        name = draw(st.sampled_from(macros))
        return Value(name, name)
    parts = []
    for _ in range(draw(st.integers(2, 3))):
        part = draw(st.sampled_from(["macro", "braced", "quoted"]))
        if part == "macro":
            parts.append(draw(st.sampled_from(macros)))
        elif part == "braced":
            parts.append("{" + draw(braced_content(depth=1)) + "}")
        else:
            parts.append('"' + draw(plain_words) + '"')
    text = " # ".join(parts)
    return Value(text, text)


@dataclass
class GenEntry:
    entry_type: str
    key: str
    fields: list[tuple[str, Value]]
    indent: str
    equals: str
    trailing_comma: bool

    @property
    def text(self) -> str:
        lines = [f"{self.indent}{name}{self.equals}{value.written}" for name, value in self.fields]
        body = ",\n".join(lines) + ("," if self.trailing_comma and lines else "")
        return f"@{self.entry_type}{{{self.key},\n{body}\n}}"

    @property
    def expected(self) -> list[tuple[str, str]]:
        return [(name, value.raw) for name, value in self.fields]

    @property
    def canonical(self) -> bool:
        """Laid out as the writer lays entries out (so re-writing keeps every line)."""
        return self.equals == " = " and not self.trailing_comma


@dataclass
class GenFile:
    blocks: list[object] = field(default_factory=list)  # GenEntry or str (other blocks)
    separators: list[str] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # macro -> raw value

    @property
    def text(self) -> str:
        out = []
        for block, sep in zip(self.blocks, self.separators, strict=True):
            out.append(block.text if isinstance(block, GenEntry) else block)
            out.append(sep)
        return "".join(out)

    @property
    def entries(self) -> list[GenEntry]:
        return [b for b in self.blocks if isinstance(b, GenEntry)]


citekeys = st.from_regex(r"[a-z][a-z0-9_:-]{0,14}", fullmatch=True)
macro_names = st.from_regex(r"[a-z][a-z]{1,7}", fullmatch=True).filter(
    lambda n: n not in {"and", "others"})
comments = st.one_of(
    st.text(alphabet=PLAIN + "æøå", max_size=40).map(lambda t: "% " + t.strip()),
    st.text(alphabet=PLAIN, max_size=30).map(lambda t: "@comment{" + t + "}"),
    st.text(alphabet=PLAIN.replace("@", ""), min_size=1, max_size=30).map(
        lambda t: "Free text " + t.strip()),
)


@st.composite
def entries(draw, key: str, macros: tuple[str, ...] = ()) -> GenEntry:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=8, unique=True))
    fields = [(name, draw(values(macros))) for name in names]
    return GenEntry(
        entry_type=draw(st.sampled_from(ENTRY_TYPES)), key=key, fields=fields,
        indent=draw(st.sampled_from(["  ", "    ", "\t"])),
        equals=draw(st.sampled_from([" = ", " = ", "=", "   = "])),
        trailing_comma=draw(st.booleans()),
    )


@st.composite
def bib_files(draw, min_entries: int = 1, max_entries: int = 6) -> GenFile:
    """A references.bib with comments, @string macros, a @preamble and entries."""
    gen = GenFile()
    macros = draw(st.lists(macro_names, max_size=3, unique=True))
    keys = draw(st.lists(citekeys, min_size=min_entries, max_size=max_entries,
                         unique_by=str.lower))
    blocks: list[object] = []
    for name in macros:
        value = draw(braced_content(depth=1))
        gen.strings[name] = value
        blocks.append(draw(st.sampled_from(["@string", "@STRING", "@String"]))
                      + "{" + name + " = {" + value + "}}")
    if draw(st.booleans()):
        blocks.append('@preamble{"\\newcommand{\\noop}[1]{}"}')
    for key in keys:
        if draw(st.booleans()):
            blocks.append(draw(comments))
        blocks.append(draw(entries(key, tuple(macros))))
    if draw(st.booleans()):
        blocks.append(draw(comments))
    gen.blocks = blocks
    gen.separators = [draw(st.sampled_from(["\n\n", "\n", "\n\n\n"])) for _ in blocks]
    return gen
