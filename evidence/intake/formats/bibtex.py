"""BibTeX and biblatex exports: Zotero, Better BibTeX, Mendeley, JabRef, BibDesk.

Field names are read without case (``Author``, ``DOI``), ``@string`` macros and
month names are expanded, values are kept as written (LaTeX and braces), so an
entry reads in references.bib as it read in the export.
"""

from __future__ import annotations

import bibtexparser
from bibtexparser.middlewares import RemoveEnclosingMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from evidence.bib.references import expand_macros
from evidence.intake.formats.entry import FileProblems, IncomingEntry, keep_fields, own_citekey
from evidence.perf import collector_paused

MONTHS = {name: str(n) for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


def read_bibtex(text: str, path: str) -> list[IncomingEntry]:
    with collector_paused():
        library = bibtexparser.parse_string(text, parse_stack=[RemoveEnclosingMiddleware()])
    problems = [_problem(block) for block in library.failed_blocks]
    if problems:
        raise FileProblems(path, problems)
    strings = {k.lower(): str(s.value) for k, s in library.strings_dict.items()}
    return [_entry(e, strings) for e in library.entries]


def _entry(entry: Entry, strings: dict[str, str]) -> IncomingEntry:
    enclosing = entry.parser_metadata.get(RemoveEnclosingMiddleware.metadata_key(), {})
    pairs = []
    for f in entry.fields:
        value = str(f.value)
        if enclosing.get(f.key) == "no-enclosing":  # a macro, a number or a # concatenation
            value = MONTHS.get(value.strip().lower(), value) if f.key.lower() == "month" \
                else expand_macros(value, strings)
        pairs.append((f.key, value))
    fields, dropped = keep_fields(pairs)
    line = (entry.start_line or 0) + 1
    return IncomingEntry(entry.entry_type.lower(), own_citekey(entry.key), fields,
                         f"line {line} ({entry.key})", dropped, line)


def _problem(block) -> str:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"{line}: citekey {block.key} is given twice in the file"
    if isinstance(block, DuplicateFieldKeyBlock):
        return (f"{line}: a field is given twice in one entry: "
                f"{', '.join(sorted(block.duplicate_keys))}")
    error = block.error
    detail = getattr(error, "abort_reason", None) or str(error) or "syntax error"
    head = (block.raw or "").strip().splitlines()[:1]
    start = f" (the block starting {head[0][:60]!r})" if head else ""
    return f"{line}: BibTeX could not be parsed{start}: {' '.join(str(detail).split())}"
