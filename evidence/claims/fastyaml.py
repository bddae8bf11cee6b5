"""Reading claims.yaml fast, with line numbers, exactly as ruamel.yaml reads it.

ruamel.yaml's round-trip loader gives every mapping its line (``.lc``), which
the error messages need, but it is pure Python: at 100,000 claims it is most
of a build. Here libyaml (PyYAML's C parser) does the parsing and a small
builder turns its events into dicts and lists that carry the same ``lc``
line information, resolving plain scalars by ruamel's own YAML 1.2 rules
(``yes`` stays a string, ``2025-01-02`` is a date, ``false`` a bool).

Why events and not PyYAML's loader hooks: a ``CSafeLoader`` subclass with
ruamel's YAML 1.2 resolvers in place of PyYAML's YAML 1.1 ones (where ``on``
and ``yes`` are True and ``1:30`` is 90) and constructors that attach the lines
reads the same values, but builds a node tree first and constructs it in
Python: 2.14 s against 0.61 s for this builder on 3.6 MB of claims (20 guides x
500 claims, best of three, one run). The builder resolves each plain scalar by
ruamel's own 1.2 rules, so the speed costs no exactness.

Anything outside what the builder reproduces exactly (anchors, aliases,
tags, merge keys, complex keys, duplicate keys, several documents, YAML 1.1
line breaks, libyaml's own syntax errors) raises :class:`Fallback`, and the
caller loads the file with ruamel.yaml instead: its result, or its error
message with the line, is then exactly what it always was.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

try:  # PyYAML with libyaml: a dependency of Datasette, so normally present
    import yaml
    from yaml import (
        AliasEvent,
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )

    _CParser = yaml.CSafeLoader if yaml.__with_libyaml__ else None
except ImportError:  # pragma: no cover - the ruamel path still works
    _CParser = None



class Fallback(Exception):
    """The fast path cannot promise ruamel's exact result: load with ruamel."""


class LineCol:
    """ruamel's ``.lc`` for what the claims reader asks: ``line`` and ``key(k)``."""

    __slots__ = ("col", "data", "line")

    def __init__(self, line: int, col: int):
        self.line = line
        self.col = col
        self.data: dict = {}

    def key(self, k) -> tuple[int, int]:
        return self.data[k]


class Map(dict):
    __slots__ = ("lc",)
    lc: LineCol


class Seq(list):
    __slots__ = ("lc",)
    lc: LineCol


# ruamel's YAML 1.2 implicit resolvers (ruamel.yaml.resolver.implicit_resolvers,
# those for 1.2), in its order: the kind of the tag, the pattern's flags, the
# first characters it applies to, the pattern. Written out here because importing
# any of ruamel runs its package, all of it (7 ms, a tenth of the imports of a
# build that needs no ruamel); tests/claims/test_fastyaml.py holds the table
# equal to ruamel's own, so a ruamel that changes its rules fails the tests.
RESOLVERS_1_2: tuple[tuple[str, int, tuple[str, ...], str], ...] = (
    ('bool', re.X, ('t', 'T', 'f', 'F'),
     '^(?:true|True|TRUE|false|False|FALSE)$'),
    ('float', re.X, ('-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.'),
     '^(?:\n         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?\n        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)\n        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?\n        |[-+]?\\.(?:inf|Inf|INF)\n        |\\.(?:nan|NaN|NAN))$'),
    ('int', re.X, ('-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
     '^(?:[-+]?0b[0-1_]+\n        |[-+]?0o?[0-7_]+\n        |[-+]?[0-9_]+\n        |[-+]?0x[0-9a-fA-F_]+)$'),
    ('merge', 0, ('<',),
     '^(?:<<)$'),
    ('null', re.X, ('~', 'n', 'N', ''),
     '^(?: ~\n        |null|Null|NULL\n        | )$'),
    ('timestamp', re.X, ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
     '^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\n        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?\n        (?:[Tt]|[ \\t]+)[0-9][0-9]?\n        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?\n        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$'),
    ('value', 0, ('=',),
     '^(?:=)$'),
    ('yaml', 0, ('!', '&', '*'),
     '^(?:!|&|\\*)$'),
)


class _Pattern:
    """A resolver's pattern, compiled when first matched (a file meets few of them)."""

    __slots__ = ("compiled", "flags", "source")

    def __init__(self, source: str, flags: int):
        self.source, self.flags = source, flags
        self.compiled: re.Pattern[str] | None = None

    def match(self, value: str) -> re.Match[str] | None:
        if self.compiled is None:
            self.compiled = re.compile(self.source, self.flags)
        return self.compiled.match(value)


# The resolvers by first character.
_RESOLVERS: dict[str, list[tuple[str, _Pattern]]] = {}
for _kind, _flags, _first, _source in RESOLVERS_1_2:
    _pattern = _Pattern(_source, _flags)
    for _ch in _first:
        _RESOLVERS.setdefault(_ch, []).append((_kind, _pattern))

# A decimal that ruamel gives as a plain int; a signed zero ("-0") it keeps as a
# ScalarInt, to write its sign back.
_DECIMAL = re.compile(r"(?:[-+]?[1-9][0-9]*|0)\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
# YAML 1.1 (libyaml) breaks lines at these, YAML 1.2 (ruamel) does not.
_LINE_BREAKS_1_1 = ("\x85", "\u2028", "\u2029")


@lru_cache(maxsize=256)
def _ruamel_scalar(value: str):
    """A rare plain scalar (a float, a hex int, a timestamp), constructed by ruamel."""
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(value)


def _plain(value: str):
    """A plain scalar's value by ruamel's YAML 1.2 rules."""
    if not value:
        return None
    resolvers = _RESOLVERS.get(value[0])
    if resolvers is None:
        return value
    for kind, regexp in resolvers:
        if regexp.match(value):
            return _resolved(kind, value)
    return value


def _resolved(kind: str, value: str):
    """A plain scalar that ruamel resolves to the tag of this kind."""
    if kind == "bool":
        return value[0] in "tT"
    if kind == "null":
        return None
    if kind == "int" and _DECIMAL.match(value):
        return int(value)
    if kind == "timestamp":
        date = _DATE.match(value)
        if date:
            try:
                return dt.date(int(date[1]), int(date[2]), int(date[3]))
            except ValueError:
                raise Fallback from None  # let ruamel report the impossible date
    if kind in ("int", "float", "timestamp"):
        try:
            return _ruamel_scalar(value)
        except ValueError:  # 2026-02-30 10:00: ruamel's own loader reports it
            raise Fallback from None
    raise Fallback  # merge keys (<<), value (=)


_NO_KEY = object()


def load(text: str) -> Any:
    """The document's data, as ruamel's round-trip loader would give it.

    Raises :class:`Fallback` whenever that cannot be promised.
    """
    if _CParser is None or any(ch in text for ch in _LINE_BREAKS_1_1):
        raise Fallback
    parser = _CParser(text)
    try:
        return _build(parser)
    except yaml.YAMLError:
        raise Fallback from None
    finally:
        parser.dispose()


def _build(parser):
    """The document built from libyaml's events (scalars inline: they are most events)."""
    get_event = parser.get_event
    stack: list[Map | Seq] = []  # open containers
    keys: list = []  # for each open container: the pending key of a map, or _NO_KEY
    root = None
    documents = 0
    while True:
        event = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise Fallback
            value = _plain(event.value) if event.style in (None, "") else event.value
            if not stack:
                root = value
                continue
            top = stack[-1]
            if isinstance(top, Map):
                _put_in_map(top, keys, value, event)
            else:
                top.append(value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            node = _open_container(event, kind is MappingStartEvent)
            if stack:
                _attach_container(stack[-1], keys, node)
            else:
                root = node
            stack.append(node)
            keys.append(_NO_KEY)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            keys.pop()
        elif kind is DocumentStartEvent:
            documents += 1
            _check_document(event, documents)
        elif kind is StreamEndEvent:
            return root
        elif kind is AliasEvent:
            raise Fallback
        elif kind is StreamStartEvent or kind is DocumentEndEvent:
            continue
        else:  # pragma: no cover - libyaml has no other events
            raise Fallback


def _put_in_map(top: Map, keys: list, value, event) -> None:
    """A scalar in a mapping: its next key, or the value of its pending key."""
    key = keys[-1]
    if key is _NO_KEY:
        if value in top:
            raise Fallback  # a duplicate key: ruamel's error message
        mark = event.start_mark
        top.lc.data[value] = (mark.line, mark.column)
        keys[-1] = value
    else:
        top[key] = value
        keys[-1] = _NO_KEY


def _open_container(event, is_mapping: bool) -> Map | Seq:
    """A new, empty mapping or list carrying its line and column."""
    if event.anchor is not None or (event.tag is not None and not event.implicit):
        raise Fallback
    node = Map() if is_mapping else Seq()
    mark = event.start_mark
    node.lc = LineCol(mark.line, mark.column)
    return node


def _attach_container(top: Map | Seq, keys: list, node: Map | Seq) -> None:
    """A nested container: the value of its map's pending key, or a list's next item."""
    if isinstance(top, Map):
        if keys[-1] is _NO_KEY:
            raise Fallback  # a mapping or list as a key
        top[keys[-1]] = node
        keys[-1] = _NO_KEY
    else:
        top.append(node)


def _check_document(event, documents: int) -> None:
    """One document, without a %YAML or %TAG directive."""
    if documents > 1 or event.version is not None or event.tags:
        raise Fallback
