"""Readers of the files a source list comes in, one module a format, each giving
:class:`~evidence.intake.formats.entry.IncomingEntry` objects.

The format is told by the file's suffix, else by its first characters; a new
format is a module and a line in :data:`READERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evidence.intake.formats.bibtex import read_bibtex
from evidence.intake.formats.csljson import read_csl_json
from evidence.intake.formats.entry import FileProblems, IncomingEntry, check_doi
from evidence.intake.formats.ris import read_ris


@dataclass(frozen=True)
class Reader:
    name: str
    suffixes: tuple[str, ...]
    looks_like: re.Pattern[str]  # what the text begins with (comments and blank lines aside)
    read: Callable[[str, str], list[IncomingEntry]]


READERS = (
    Reader("BibTeX", (".bib", ".bibtex", ".biblatex"), re.compile(r"@\s*[A-Za-z]"), read_bibtex),
    Reader("CSL-JSON", (".json", ".csljson"), re.compile(r"[\[{]"), read_csl_json),
    Reader("RIS", (".ris",), re.compile(r"TY  -"), read_ris),
)
_COMMENT = re.compile(r"^(?:\s*%[^\n]*\n|\s*\n)*\s*")


def reader_for(path: Path, text: str) -> Reader:
    """The reader of the file's suffix, else the one whose format the text begins with."""
    for reader in READERS:
        if path.suffix.lower() in reader.suffixes:
            return reader
    start = _COMMENT.match(text)
    head = text[start.end() if start else 0:]
    for reader in READERS:
        if reader.looks_like.match(head):
            return reader
    names = ", ".join(f"{r.name} ({' '.join(r.suffixes)})" for r in READERS)
    raise FileProblems(str(path), [f"1: neither its suffix nor its first line names a format "
                                   f"this command reads: {names}"])


def read_entries(path: Path) -> tuple[Reader, list[IncomingEntry]]:
    """Every entry of the file; :class:`FileProblems` naming each place it cannot be read."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblems(str(path), [f"{line}: not UTF-8 text (byte {data[exc.start]:#04x}); "
                                       "export the file as UTF-8"]) from None
    reader = reader_for(Path(path), text)
    entries = reader.read(text, str(path))
    problems = [p for p in (check_doi(e) for e in entries) if p]
    if problems:
        raise FileProblems(str(path), problems)
    return reader, entries
