"""references.bib: loading, validating and writing the sources (DESIGN §2).

The file is the single source of truth for sources, edited by hand and by
``evidence resolve``/``add``. Reading keeps every value exactly as written
(LaTeX, braces, ``@string`` references); writing splices only the entries
that changed back into the original text, so comments, order, layout and
untouched entries stay byte for byte what the editor wrote.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import bibtexparser
from bibtexparser.middlewares import AddEnclosingMiddleware, RemoveEnclosingMiddleware
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
    String,
)

from evidence.atomic import atomic_write_text
from evidence.bib.doi import DoiIndex, InvalidDOI, doi_or_none, normalise_doi
from evidence.bib.latex import latex_to_text
from evidence.bib.names import PersonName, parse_person_names
from evidence.errors import EvidenceError, Problem, raise_if, read_utf8
from evidence.perf import collector_paused
from evidence.scale import DESIGN_BY_CODE, WITHDRAWING_UPDATES, tier_of

if TYPE_CHECKING:
    from collections.abc import KeysView

UPDATE_TYPES = ("retraction", "correction", "expression_of_concern")


@dataclass(frozen=True)
class Author:
    family: str
    given: str | None
    orcid: str | None = None


@dataclass(frozen=True)
class Update:
    """An update notice recorded on a source: retraction, correction, concern.

    ``reversed`` is the date the notice was found gone from Crossref (or a
    Retraction Watch reinstatement was seen); ``confirmed`` the date an editor
    confirmed that reversal. Until confirmed, a reversed notice keeps its
    effect: one missing notice may be a glitch (docs/DESIGN.md, the ``updates``
    field)."""

    update_type: str
    notice_doi: str | None
    updated: str | None  # ISO date
    origin: str | None  # publisher | retraction-watch
    record_id: str | None = None  # Retraction Watch's record id
    reversed: str | None = None  # ISO date the reversal was seen
    confirmed: str | None = None  # ISO date an editor confirmed the reversal

    @property
    def in_force(self) -> bool:
        """False only for a reversal an editor confirmed: the notice then counts no more."""
        return not (self.reversed and self.confirmed)

    @property
    def reversal_pending(self) -> bool:
        """Found reversed, not yet confirmed by an editor: it still counts."""
        return bool(self.reversed) and not self.confirmed

    @property
    def withdraws(self) -> bool:
        """True when the notice takes the work back: it then supports nothing."""
        return self.update_type in WITHDRAWING_UPDATES and self.in_force

    @property
    def label(self) -> str:
        return self.update_type.replace("_", " ").capitalize()


@dataclass
class Source:
    """One entry of references.bib, as read; field values are raw BibTeX."""

    entry: Entry
    line: int  # 1-based line of the entry in the file
    strings: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def entry_type(self) -> str:
        return self.entry.entry_type.lower()

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        # Field names are case-insensitive (BibTeX's rule): ``Title`` is ``title``.
        # With a name given twice the first wins, as in BibTeX; validation reports it.
        index: dict[str, Field] = {}
        for f in self.entry.fields:
            index.setdefault(f.key.lower(), f)
        return index

    @cached_property
    def raw_values(self) -> dict[str, str]:
        """What :meth:`raw` gives, by lower-case name (read it, don't change it):
        the build asks some 60 times a source, its CSL-JSON of this dict itself."""
        return {name: str(f.value) for name, f in self._by_name.items() if f.value is not None}

    @property
    def has_duplicate_fields(self) -> bool:
        """A field name given twice, in any case (what validation reports): the
        index by name, built anyway, then has fewer names than the entry fields."""
        return len(self._by_name) != len(self.entry.fields)

    def prime(self, by_name: dict[str, Field], values: dict[str, str]) -> None:
        """Take :attr:`_by_name` and :attr:`raw_values` as made while the entry was
        read (references._remove_enclosing), instead of walking its fields again."""
        self.__dict__["_by_name"] = by_name
        self.__dict__["raw_values"] = values

    def find_field(self, name: str) -> Field | None:
        """The entry's field of that name, in any case (``DOI`` is ``doi``)."""
        return self._by_name.get(name.lower())

    def forget(self) -> None:
        """Drop what was derived from the fields, after they changed."""
        self.__dict__.pop("_by_name", None)
        self.__dict__.pop("raw_values", None)
        self.__dict__.pop("authors", None)
        self.__dict__.pop("doi", None)
        self.__dict__.pop("study_design", None)

    def raw(self, name: str) -> str | None:
        """The field value as written in the file (LaTeX and macros kept)."""
        return self.raw_values.get(name.lower())

    def field_line(self, name: str) -> int:
        f = self._by_name.get(name.lower())
        return (f.start_line + 1) if f is not None and f.start_line is not None else self.line

    def text(self, name: str) -> str | None:
        """The field value for display: macros expanded, LaTeX decoded."""
        value = self.raw_values.get(name.lower())  # raw(), without its call
        if value is None:
            return None
        return latex_to_text(expand_macros(value, self.strings))

    @cached_property
    def doi(self) -> str | None:
        """The DOI, normalised (None when missing or no DOI): asked by the rows and
        twice by the check of each source, kept until the fields change (forget)."""
        return doi_or_none(self.raw("doi"))

    @cached_property
    def study_design(self) -> str | None:
        """The design code as written (stripped); asked by validation, the rows,
        the tier and the check of each source, kept until the fields change."""
        value = self.raw("studydesign")
        return value.strip() if value else None

    @property
    def tier(self) -> str | None:
        design = self.study_design
        return tier_of(design) if design in DESIGN_BY_CODE else None

    @property
    def metadata_source(self) -> str | None:
        return self.raw("metadatasource")

    def names(self, name: str = "author") -> list[PersonName]:
        """The persons of a name field (author, editor…), split and decoded.

        Braces are read before LaTeX is decoded, so ``{World Health
        Organization}`` stays one organisation and ``R {La Joie}`` keeps its
        two-word family name. ``and others`` is kept as ``PersonName(others=True)``.
        """
        value = self.raw(name)
        if not value:
            return []
        return parse_person_names(expand_macros(value, self.strings))

    @cached_property
    def authors(self) -> list[Author]:
        written = self.raw("orcids")
        orcids = [o.strip() or None for o in written.split(";")] if written else []
        authors = []
        for position, person in enumerate(self.names("author")):
            if person.others:
                continue
            orcid = orcids[position] if position < len(orcids) else None
            authors.append(_author(person, orcid))
        return authors

    @property
    def updates(self) -> list[Update]:
        return list(_parsed_updates(self.raw("updates") or ""))

    @property
    def retracted(self) -> bool:
        return any(u.withdraws for u in self.updates)

    @property
    def year(self) -> int | None:
        value = self.text("year") or ""
        match = _FOUR_DIGITS.search(value)
        return int(match.group()) if match else None

    @property
    def container_title(self) -> str | None:
        for name in ("journal", "booktitle", "publisher", "howpublished"):
            value = self.text(name)
            if value:
                return value
        return None


_FOUR_DIGITS = re.compile(r"\d{4}")


@lru_cache(maxsize=65536)
def _author(person: PersonName, orcid: str | None) -> Author:
    # Memoised: the same person writes many entries of a bibliography, and
    # Author and PersonName are frozen, so one Author serves them all.
    if person.literal is not None:
        return Author(family=person.literal, given=None, orcid=orcid)
    return Author(family=person.full_family, given=person.given, orcid=orcid)


_DATE = r"\d{4}(?:-\d{2}){0,2}"
_UPDATE_ITEM = re.compile(
    rf"^(?P<type>[a-z_-]+)(?:\s+(?P<doi>10\.\S+))?(?:\s+(?P<date>{_DATE}))?"
    r"(?:\s+(?P<origin>[a-z-]+))?(?P<marks>(?:\s+[a-z]+=\S+)*)$"
)
# The marks after the origin: name=value, each at most once.
_MARKS = {"record": re.compile(r"[\w.-]+"), "reversed": re.compile(_DATE),
          "confirmed": re.compile(_DATE)}


def parse_updates(value: str) -> list[Update]:
    """Parse the ``updates`` field: ``type doi date origin marks`` items joined by ``;``.

    Example: ``retraction 10.1016/j.x.2020.01 2020-05-01 retraction-watch record=20946``;
    ``marks`` are ``record=ID`` (Retraction Watch's record id), ``reversed=DATE``
    (the notice was found gone) and ``confirmed=DATE`` (an editor confirmed the
    reversal), in any order. Items that do not match are kept as an update of
    type ``other``, so nothing an editor wrote is silently dropped.
    """
    updates = []
    for item in value.split(";"):
        item = " ".join(item.split())
        if not item:
            continue
        match = _UPDATE_ITEM.match(item.lower())
        marks = _parse_marks(match["marks"]) if match else None
        if not match or marks is None or (marks.get("confirmed") and not marks.get("reversed")):
            updates.append(Update("other", None, None, None))
            continue
        updates.append(
            Update(
                update_type=match["type"].replace("-", "_"),
                notice_doi=match["doi"],
                updated=match["date"],
                origin=match["origin"],
                record_id=marks.get("record"),
                reversed=marks.get("reversed"),
                confirmed=marks.get("confirmed"),
            )
        )
    return updates


@lru_cache(maxsize=4096)
def _parsed_updates(value: str) -> tuple[Update, ...]:
    # Asked for a source's rows, its validation and the check, of a value most
    # often empty; Update is frozen, so the parsed items are shared.
    return tuple(parse_updates(value))


def _parse_marks(text: str) -> dict[str, str] | None:
    """``record=1 reversed=2026-12-01`` as a dict; None for an unknown or repeated mark."""
    marks: dict[str, str] = {}
    for token in text.split():
        name, _, value = token.partition("=")
        pattern = _MARKS.get(name)
        if pattern is None or name in marks or not pattern.fullmatch(value):
            return None
        marks[name] = value
    return marks


def format_updates(updates: list[Update]) -> str:
    parts = []
    for u in updates:
        marks = [f"{name}={value}" for name, value in (
            ("record", u.record_id), ("reversed", u.reversed), ("confirmed", u.confirmed))
            if value]
        parts.append(" ".join(x for x in (u.update_type, u.notice_doi, u.updated, u.origin,
                                          *marks) if x))
    return "; ".join(parts)


# A bare macro name, with the whitespace around it (fullmatch: the value need
# not be stripped first, a copy of each of some 300,000 values a large build reads).
_MACRO = re.compile(r"\s*[A-Za-z][\w:.+/'-]*\s*")


def expand_macros(value: str, strings: dict[str, str]) -> str:
    """Resolve a bare ``@string`` reference or ``#`` concatenation for display."""
    if "#" not in value and not _MACRO.fullmatch(value):
        return value
    pieces = []
    for piece in value.split("#"):
        piece = piece.strip()
        if len(piece) >= 2 and piece[0] == piece[-1] == '"' or len(piece) >= 2 and piece[0] == "{" and piece[-1] == "}":
            pieces.append(piece[1:-1])
        else:
            pieces.append(strings.get(piece.lower(), piece))
    return "".join(pieces)


_WRITE_STACK: tuple[type[AddEnclosingMiddleware], dict[str, Any]] = (
    AddEnclosingMiddleware,
    {"reuse_previous_enclosing": True, "enclose_integers": True, "default_enclosing": "{",
     "allow_inplace_modification": False},
)


class References:
    """references.bib as loaded: the bibtexparser library and the sources in it."""

    def __init__(self, path: Path, text: str, library: bibtexparser.Library,
                 read: dict[int, _Read] | None = None):
        """``read``: what parse_references found walking each entry's fields."""
        self.path = Path(path)
        self.text = text
        self.library = library
        self.strings = {k.lower(): str(s.value) for k, s in library.strings_dict.items()}
        entries = library.entries
        read = read or {}
        self.sources = []
        self._snapshot = {}
        for e in entries:
            # Parsed entries always know their line; only built ones lack it.
            source = Source(entry=e, line=(e.start_line or 0) + 1, strings=self.strings)
            found = read.get(id(e))
            if found is not None:
                source.prime(found.by_name, found.values)
            self.sources.append(source)
            self._snapshot[id(e)] = found.fingerprint if found is not None else _fingerprint(e)
        self._by_key = {s.key: s for s in self.sources}
        self._doi_index: DoiIndex | None = None
        self._spans = _entry_spans(text, entries)

    @classmethod
    def empty(cls, path: Path) -> References:
        return cls(path, "", bibtexparser.Library())

    def get(self, key: str) -> Source | None:
        return self._by_key.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def keys(self) -> KeysView[str]:
        """The citekeys: ``key in references.keys()`` is a test in C, for
        loops over every link (250,000 at 100,000 claims)."""
        return self._by_key.keys()

    def __iter__(self):
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def doi_index(self) -> DoiIndex:
        """Citekey by DOI, aliases included (:class:`evidence.bib.doi.DoiIndex`).

        Built once and kept up to date by :meth:`add` and :meth:`set_field`: a
        check asks it for every guide, resolve for every DOI."""
        if self._doi_index is None:
            self._doi_index = DoiIndex.of(self.sources)
        return self._doi_index

    def add(self, entry: Entry) -> Source:
        """Append a new entry (written at the end of the file)."""
        if entry.key in self._by_key:
            raise ValueError(f"citekey {entry.key!r} exists already")
        problem = _unwritable(entry)
        if problem:
            raise UnwritableValue(f"{entry.key}: the new entry cannot be written to "
                                  f"references.bib as it is: {problem}")
        self.library.add(entry)
        source = Source(entry=entry, line=0, strings=self.strings)
        self.sources.append(source)
        self._by_key[entry.key] = source
        if self._doi_index is not None:
            self._doi_index.add(source)
        return source

    def set_field(self, key: str, name: str, value: str | None) -> bool:
        """Set (or with None remove) one field of an entry; True if it changed.

        ``name`` is found in any case: a field the entry has is changed where it
        stands and keeps its spelling (``Journal`` stays ``Journal``); a new one
        is appended at the end of the entry, spelled as given.
        """
        if name.lower() in ("doi", "doialias"):
            self._doi_index = None  # rebuilt when next asked
        source = self._by_key[key]
        entry = source.entry
        current = source.find_field(name)
        before = list(entry.fields)
        if value is None:
            if current is None:
                return False
            entry.fields = [f for f in before if f is not current]
            source.forget()
            return True
        if current is not None and current.value == value:
            return False
        spelling = current.key if current is not None else name
        new = Field(spelling, value, enclosing=_enclosing_for(entry, spelling, value))
        if current is None:
            entry.fields = [*before, new]
        else:
            entry.fields = [new if f is current else f for f in before]
        source.forget()
        problem = _unwritable(entry)
        if problem:
            # Refuse the value rather than write a file that reads back otherwise.
            entry.fields = before
            source.forget()
            raise UnwritableValue(f"{key}: {spelling!r} cannot be written to references.bib "
                                  f"as {value!r}: {problem}")
        return True

    def is_unchanged(self, entry: Entry) -> bool:
        """Whether an entry is still as it was read (its raw text still holds)."""
        return self._snapshot.get(id(entry)) == _fingerprint(entry)

    def changed_keys(self) -> list[str]:
        return [
            e.key
            for e in self.library.entries
            if self._snapshot.get(id(e)) != _fingerprint(e)
        ]

    def render(self) -> str:
        """The file's new text: unchanged entries verbatim, changed ones re-written."""
        out = []
        cursor = 0
        crlf = "\r\n" in self.text  # written entries follow the file's line endings

        def lines(rendered: str) -> str:
            return _LF.sub("\r\n", rendered) if crlf else rendered

        for entry in self.library.entries:
            span = self._spans.get(id(entry))
            if span is None:
                continue  # new entry: appended below
            start, end = span
            out.append(self.text[cursor:start])
            if self._snapshot[id(entry)] == _fingerprint(entry):
                out.append(self.text[start:end])
            else:
                out.append(lines(_keep_type_spelling(
                    render_entry(entry, indent=_indent_of(self.text[start:end])),
                    self.text[start:end],
                )))
            cursor = end
        out.append(self.text[cursor:])
        text = "".join(out)
        newline = "\r\n" if crlf else "\n"
        for entry in self.library.entries:
            if id(entry) not in self._spans:
                if text and not text.endswith(newline * 2):
                    text += newline if text.endswith(newline) else newline * 2
                text += lines(render_entry(entry)) + newline
        return text

    def write(self, path: Path | None = None) -> bool:
        """Write atomically when something changed; return whether it wrote."""
        text = self.render()
        target = Path(path or self.path)
        if target == self.path and text == self.text:
            return False
        atomic_write_text(target, text)
        if target == self.path:
            # What is on disk is now the baseline for the next write.
            fresh = parse_references(text, self.path)
            self.__dict__.update(fresh.__dict__)
        return True


class UnwritableValue(EvidenceError, ValueError):
    """A value that, written into references.bib, would not read back as itself."""


def _enclosing_for(entry: Entry, name: str, value: str) -> str:
    """Braces for a new value; a bare integer or quotes only where they were before.

    The value is what the field must read back as, so it is never written bare
    (as a macro name would be) unless it replaces a bare number with a number.
    """
    previous = entry.parser_metadata.get(RemoveEnclosingMiddleware.metadata_key(), {})
    before = previous.get(name) if isinstance(previous, dict) else None
    if before == "no-enclosing" and value.isdigit():
        return "no-enclosing"
    if before == '"' and '"' not in value:
        return '"'
    return "{"


def _unwritable(entry: Entry) -> str | None:
    """Why the entry, written out, would not parse back to itself (None if it would)."""
    text = render_entry(entry)
    library = bibtexparser.parse_string(text, parse_stack=[RemoveEnclosingMiddleware()])
    if library.failed_blocks or len(library.entries) != 1:
        return "unbalanced braces, quotes or a trailing backslash break the entry"
    again = library.entries[0]
    if again.key != entry.key:
        return f"the citekey would read back as {again.key!r}"
    for (key, value), (key2, value2) in zip(
            ((f.key, f.value) for f in entry.fields),
            ((f.key, f.value) for f in again.fields), strict=False):
        if (key, value) != (key2, value2):
            return f"{key!r} would read back as {value2!r} (unbalanced braces or quotes)"
    if len(again.fields) != len(entry.fields):
        return "a value would read back as several fields"
    return None


_LF = re.compile(r"(?<!\r)\n")


def _fingerprint(entry: Entry) -> tuple:
    return (entry.entry_type, entry.key, tuple((f.key, f.value) for f in entry.fields))


def _keep_type_spelling(rendered: str, original: str) -> str:
    """Keep ``@Article`` as the editor wrote it; the writer lower-cases it."""
    head = re.match(r"@\s*(\w+)", original)
    new_head = re.match(r"@(\w+)", rendered)
    if head and new_head and head.group(1).lower() == new_head.group(1).lower():
        return "@" + head.group(1) + rendered[new_head.end():]
    return rendered


def _indent_of(raw: str) -> str:
    match = re.search(r"\n([ \t]+)\S", raw)
    return match.group(1) if match else "  "


def render_entry(entry: Entry, indent: str = "  ") -> str:
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = indent
    fmt.block_separator = ""
    middleware, options = _WRITE_STACK
    text = bibtexparser.write_string(
        bibtexparser.Library([entry]), unparse_stack=[middleware(**options)], bibtex_format=fmt
    )
    return text.strip()


def _entry_spans(text: str, entries: list[Entry]) -> dict[int, tuple[int, int]]:
    """Character spans of each entry's raw text in the file, found in order."""
    spans = {}
    cursor = 0
    for entry in entries:
        raw = entry.raw
        if not raw:
            continue
        start = text.find(raw, cursor)
        if start < 0:
            continue
        spans[id(entry)] = (start, start + len(raw))
        cursor = start + len(raw)
    return spans


# bibtexparser logs every failed block itself; they are reported as Problems.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def parse_references(text: str, path: Path | str = "references.bib") -> References:
    """Parse BibTeX text without validating it (see :func:`validate_references`)."""
    with collector_paused():
        library = bibtexparser.parse_string(text, parse_stack=[])
        read = _remove_enclosing(library)
        return References(Path(path), text, library, read)


_ENCLOSING_KEY = RemoveEnclosingMiddleware.metadata_key()
_REMOVE_ENCLOSING = RemoveEnclosingMiddleware()


class _Read(NamedTuple):
    """What one walk over an entry's fields gives besides the stripped values:
    Source's two indexes by name and References' fingerprint of the entry."""

    by_name: dict[str, Field]
    values: dict[str, str]
    fingerprint: tuple


def _remove_enclosing(library: bibtexparser.Library) -> dict[int, _Read]:
    """What ``RemoveEnclosingMiddleware`` does, in place on the split library: the
    same values, ``enclosing`` marks and metadata (a test holds them equal), without
    the middleware's copy of the library (every block added again, its key checked)
    and with a fast path for the usual plain ``{value}``.

    The same walk indexes each entry's fields by name and fingerprints it (by
    id of the entry): four walks over the 241,000 fields of a large
    references.bib made one."""
    read = {}
    for block in library.blocks:
        if isinstance(block, Entry):
            metadata = {}
            by_name: dict[str, Field] = {}
            values: dict[str, str] = {}
            pairs = []
            for f in block.fields:
                value, enclosing = _strip_enclosing(f.value)
                f.value = value
                if enclosing == "no-enclosing" and not value.isdigit():
                    # A macro name or a concatenation: written back bare.
                    f.enclosing = "no-enclosing"
                key = f.key
                metadata[key] = enclosing
                pairs.append((key, value))
                name = key.lower()
                if name not in by_name:  # a name given twice: the first wins
                    by_name[name] = f
                    values[name] = value
            block.parser_metadata[_ENCLOSING_KEY] = metadata
            read[id(block)] = _Read(by_name, values,
                                    (block.entry_type, block.key, tuple(pairs)))
        elif isinstance(block, String):
            _REMOVE_ENCLOSING.transform_string(block, library)
    return read


def _strip_enclosing(value: str) -> tuple[str, str]:
    """The value without its enclosing braces or quotes, and which they were."""
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        inner = value[1:-1]
        if "{" not in inner and "}" not in inner and not inner.endswith("\\"):
            return inner, "{"  # no braces inside: the outer pair encloses it all
    # The middleware's own rule for the rest (inner braces, quotes, macros):
    # bibtexparser 2.x (pinned below 3) has it on the class.
    stripped, enclosing = RemoveEnclosingMiddleware._strip_enclosing(value)  # noqa: SLF001
    return stripped, enclosing or "no-enclosing"


def load_references(path: Path, *, validate: bool = True) -> References:
    """Load references.bib; raise InputError listing every problem found."""
    path = Path(path)
    if not path.exists():
        refs = References.empty(path)
    else:
        # Newlines as they are: an edit must not turn a CRLF file into an LF one.
        refs = parse_references(read_utf8(path, code="bibtex-invalid", keep_newlines=True), path)
    if validate:
        raise_if(validate_references(refs))
    return refs


def validate_references(refs: References) -> list[Problem]:
    problems = []
    for block in refs.library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
            # Every name given twice, each with both lines (the parser names them only).
            found = _duplicate_field_problems(refs.path, block.ignore_error_block)
            if found:
                problems.extend(found)
                continue
        problems.append(_failed_block_problem(refs.path, block))
    seen_dois: dict[str, Source] = {}
    for source in refs.sources:
        if source.has_duplicate_fields:
            problems.extend(_duplicate_field_problems(refs.path, source.entry))
        problems.extend(_validate_source(refs.path, source, seen_dois))
    return problems


def _duplicate_field_problems(path: Path, entry: Entry) -> list[Problem]:
    """A field name given twice in one entry, in any case (``doi`` and ``DOI``):
    BibTeX reads the first, pandoc the last, so the entry means two things."""
    first: dict[str, Field] = {}
    problems = []
    for f in entry.fields:
        name = f.key.lower()
        earlier = first.setdefault(name, f)
        if earlier is f:
            continue
        problems.append(Problem(
            path, _line_of(f, entry), entry.key,
            f"field {earlier.key!r} (line {_line_of(earlier, entry)}) is given again as "
            f"{f.key!r} (line {_line_of(f, entry)}); field names are case-insensitive, so "
            "BibTeX reads one and other programs the other",
            "keep one of them: delete the line you do not mean", code="field-duplicate"))
    return problems


def _line_of(f: Field, entry: Entry) -> int:
    start = f.start_line if f.start_line is not None else entry.start_line
    return (start or 0) + 1


def _suggest_design(design: str) -> str:
    """'case report' or 'RCT' → the code an editor most likely meant."""
    aliases = {"rct": "randomised-trial", "randomized-trial": "randomised-trial",
               "meta-analysis": "systematic-review-of-trials", "review": "narrative-review"}
    wanted = "-".join(design.lower().replace("_", " ").split())
    guess = aliases.get(wanted) or next(
        iter(difflib.get_close_matches(wanted, list(DESIGN_BY_CODE), n=1, cutoff=0.6)), None)
    codes = ", ".join(DESIGN_BY_CODE)
    return f"did you mean {guess!r}? codes: {codes}" if guess else f"use one of: {codes}"


def _failed_block_problem(path: Path, block: ParsingFailedBlock) -> Problem:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        previous = getattr(block, "previous_block", None)
        where = (f" (also at line {previous.start_line + 1})"
                 if previous is not None and previous.start_line is not None else "")
        return Problem(path, line, block.key, f"duplicate citekey{where}",
                       "each entry needs its own key; rename or merge one of them",
                       code="citekey-duplicate")
    if isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        if isinstance(entry, Entry):
            found = _duplicate_field_problems(path, entry)
            if found:
                return found[0]
        fields = ", ".join(sorted(block.duplicate_keys))
        return Problem(path, line, getattr(entry, "key", None),
                       f"field given twice in one entry: {fields}", "keep one of them",
                       code="field-duplicate")
    error = block.error
    detail = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
    detail = " ".join(str(detail).split()) or "syntax error"
    raw = (block.raw or "").strip()
    head = raw.splitlines()[0][:60] if raw else ""
    return Problem(path, line, None, f"BibTeX could not be parsed: {detail}",
                   f"check the braces and quotes of the block starting {head!r}",
                   code="bibtex-invalid")


def _validate_source(path: Path, source: Source, seen_dois: dict[str, Source]) -> list[Problem]:
    problems = []
    raw_doi = source.raw("doi")
    if raw_doi:
        try:
            doi = normalise_doi(raw_doi)
        except InvalidDOI as exc:
            problems.append(Problem(path, source.field_line("doi"), source.key, str(exc),
                                    code="doi-invalid"))
        else:
            if doi in seen_dois:
                other = seen_dois[doi]
                problems.append(Problem(
                    path, source.field_line("doi"), source.key,
                    f"DOI {doi} is also the DOI of {other.key} (line {other.line})",
                    "one work, one entry: merge the two and keep one citekey",
                    code="doi-duplicate",
                ))
            else:
                seen_dois[doi] = source
    design = source.study_design
    if design is not None and design not in DESIGN_BY_CODE:
        problems.append(Problem(
            path, source.field_line("studydesign"), source.key,
            f"unknown study design {design!r}",
            _suggest_design(design), code="study-design-unknown",
        ))
    for update in source.updates:
        if update.update_type == "other":
            problems.append(Problem(
                path, source.field_line("updates"), source.key,
                "unreadable item in the updates field",
                "write items as 'type doi date origin' separated by ';', "
                "e.g. 'retraction 10.1000/xyz 2020-05-01 publisher', optionally followed by "
                "record=ID, reversed=DATE, confirmed=DATE (docs/DESIGN.md, the updates "
                "field)", code="bibtex-invalid",
            ))
    return problems
