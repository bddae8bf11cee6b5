"""BibTeX of selected sources as written in references.bib (``evidence bibliography``).

Entries are copied as the editor wrote them (LaTeX, comments inside the
entry, field order), preceded by the ``@string`` definitions the entries use,
so the file parses on its own. An entry changed in memory and not yet
written is rendered afresh. This needs the parsed references.bib; the
publication serves the stored text instead (``sources.bibtex``).
"""

from __future__ import annotations

import re

from evidence.bib.references import References, Source, render_entry


def entry_bibtex(source: Source, references: References | None = None) -> str:
    """One entry's BibTeX, as written in references.bib when unchanged."""
    entry = source.entry
    raw = entry.raw
    unchanged = references is None or references.is_unchanged(entry)
    if raw and unchanged:
        return raw.strip()
    return render_entry(entry)


def to_bibtex(sources: list[Source], references: References) -> str:
    """The entries as written, with the ``@string`` macros they use first."""
    used = _strings_used(sources, references)
    blocks = []
    for string in references.library.strings:
        if string.key.lower() in used:
            blocks.append((string.raw or f"@string{{{string.key} = {{{string.value}}}}}").strip())
    blocks += [entry_bibtex(s, references) for s in sources]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


_TOKEN = re.compile(r"[A-Za-z][\w:.+/'-]*")


def _strings_used(sources: list[Source], references: References) -> set[str]:
    known = references.strings
    if not known:
        return set()
    used: set[str] = set()
    pending = []
    for source in sources:
        for f in source.entry.fields:
            pending.append(str(f.value))
    while pending:
        value = pending.pop()
        for piece in value.split("#"):
            piece = piece.strip()
            if piece.startswith(("{", '"')):
                continue
            if _TOKEN.fullmatch(piece) and piece.lower() in known and piece.lower() not in used:
                used.add(piece.lower())
                pending.append(known[piece.lower()])  # a macro may use another
    return used
