"""Problems found in the project's source files, reported with file and line.

Every loader collects :class:`Problem` objects instead of stopping at the
first one, so an editor sees everything wrong in one run; it then raises
:class:`InputError` carrying them all. The CLI prints them and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path | str | None
    line: int | None
    item: str | None  # claim id, citekey or DOI the problem concerns
    message: str
    hint: str | None = None
    # The finding code ``evidence check`` reports the problem under: one of
    # evidence.check.codes.CODES (a test holds every construction site to it;
    # this bottom layer cannot import the check).
    code: str = field(kw_only=True)

    def location(self) -> str:
        where = _display_path(self.path) if self.path else "<input>"
        if self.line:
            where += f":{self.line}"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: "
        if self.item:
            text += f"{self.item}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class EvidenceError(Exception):
    """An error to show the user as a message, never as a traceback."""


class InputError(EvidenceError):
    """One or more problems in the project's source files."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def read_utf8(path: Path | str, *, code: str, keep_newlines: bool = False) -> str:
    """A source file's text (newlines as Python's text mode reads them, or as
    they are with ``keep_newlines``); a file that is not UTF-8 is an
    InputError naming the line of its first bad byte, under finding ``code``."""
    return decode_utf8(Path(path).read_bytes(), path, code=code, keep_newlines=keep_newlines)


def decode_utf8(data: bytes, path: Path | str, *, code: str, keep_newlines: bool = False) -> str:
    """:func:`read_utf8` of the bytes ``data``, already read from ``path``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(
            path, line, None, f"not UTF-8 text (byte {data[exc.start]:#04x} cannot be read)",
            "save the file as UTF-8", code=code,
        )]) from None
    return text if keep_newlines else text.replace("\r\n", "\n").replace("\r", "\n")


def _display_path(path: Path | str) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)
