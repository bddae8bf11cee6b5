"""The fast YAML path gives exactly what ruamel.yaml gives, lines included, or steps aside."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from evidence.claims import fastyaml
from evidence.claims.loader import load_yaml, yaml_loader

REPO = Path(__file__).resolve().parents[2]


def ruamel(text: str):
    return yaml_loader().load(text)


def assert_same(fast, slow, path="$"):
    """Equal values, types that read alike, and ruamel's line and column everywhere."""
    if isinstance(slow, dict):
        assert type(fast) is fastyaml.Map, path
        assert list(fast) == list(slow), path
        assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), path
        for key in slow:
            assert fast.lc.key(key) == tuple(slow.lc.key(key)), f"{path}.{key}"
            assert_same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(slow, list):
        assert type(fast) is fastyaml.Seq and len(fast) == len(slow), path
        assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), path
        for index, (a, b) in enumerate(zip(fast, slow)):
            assert_same(a, b, f"{path}[{index}]")
    else:
        nan = isinstance(slow, float) and math.isnan(slow) and math.isnan(fast)
        assert (fast == slow or nan) and str(fast) == str(slow), (path, fast, slow)
        # the same kind of value (ruamel's ScalarInt, ScalarFloat and block-scalar
        # strings are ints, floats and strs that remember how they were written)
        for kind in (bool, int, float, str, dt.datetime, dt.date, type(None)):
            assert isinstance(fast, kind) == isinstance(slow, kind), (path, fast, slow)


def check(text: str) -> bool:
    """True when the fast path answered (and matched); False when it stepped aside."""
    try:
        fast = fastyaml.load(text)
    except fastyaml.Fallback:
        return False
    try:
        slow = ruamel(text)
    except YAMLError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"fast path accepted what ruamel rejects: {exc}\n{text}")
    assert_same(fast, slow)
    return True


def test_the_real_claims_file_takes_the_fast_path():
    text = (REPO / "claims" / "distal-hasetendinopati" / "claims.yaml").read_text(encoding="utf-8")
    assert check(text)


def test_a_synthetic_corpus_takes_the_fast_path(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate(tmp_path, guides=3, claims=40, sources=60, seed=7)
    for path in sorted(tmp_path.glob("claims/*/claims.yaml")):
        assert check(path.read_text(encoding="utf-8"))


SCALARS = [
    # YAML 1.1 (PyYAML's own loaders) and 1.2 (ruamel) disagree on these
    "yes", "no", "on", "off", "y", "n", "Yes", "ON", "1:30", "190:20:30", "-0", "+0", "0b101", "true", "True", "FALSE", "null", "Null", "~", "",
    "12", "-3", "+4", "007", "0o17", "0x1F", "1_000", "1.5", "1.50", "-.5", "1e3", ".inf",
    ".nan", "2025-01-02", "2025-02-30", "2025-01-02T10:00:00", "2025-1-2", "p. 12",
    "Table 2", "a: b", "a #b", "a#b", "https://doi.org/10.1/x", "æøå ÆØÅ", "<<", "=",
    "'quoted'", '"double"', "it's", "-x", "- x", "?x", "[1, 2]", "{a: 1}", "&a x", "*a",
    "!tag x", "|", ">", "%x", "@x", "`x", "x  y", " x", "x ",
]


@pytest.mark.parametrize("value", SCALARS)
def test_every_kind_of_plain_scalar_reads_as_ruamel_reads_it(value):
    check(f"key: {value}\nother: 1\n")
    check(f"- {value}\n- x\n")
    check(f"{value}: 1\n")


TRICKY = [
    "",
    "# only a comment\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n",
    "a: 1\na: 2\n",
    "claims:\n  - id: a\n    id: b\n",
    "a: !!str 12\n",
    "a:\n- 1\n- 2\n",
    "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
    "a: plain\n  continued\n",
    'a: "multi\n  line"\n',
    "a: 'it''s'\n",
    'a: "tab\\tand \\u00e6"\n',
    "a: [1, {b: c}]\n",
    "? complex\n: value\n",
    "a:\r\n  b: 1\r\n",
    "a: x\u2028b: y\n",
    "a: x\x85b: y\n",
    "\ufeffa: 1\n",
    "a:\n\tb: 1\n",
    "a: 1\n b: 2\n",
    "a:\n  - x\n  y: 1\n",
    "a: [unclosed\n",
    'a: "unclosed\n',
    "a: \x07\n",
    "- - nested\n  - list\n",
    "- a: 1\n  b:\n    - c: 2\n      d: [3]\n",
    "top:\n  # comment\n  inner:   value   # trailing\n\n  empty:\n",
    "null: 1\ntrue: 2\n3: x\n",
    "a: 2025-01-02\nb: 2025-01-02 10:00:00\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents_match_or_step_aside(text):
    check(text)


def test_what_ruamel_rejects_the_fast_path_never_accepts():
    for text in TRICKY + [f"key: {v}\n" for v in SCALARS]:
        try:
            ruamel(text)
        except Exception:  # noqa: BLE001 - ruamel raises ValueError for 2025-02-30
            with pytest.raises(fastyaml.Fallback):
                fastyaml.load(text)


def test_load_yaml_keeps_ruamels_errors():
    from ruamel.yaml.error import MarkedYAMLError

    with pytest.raises(MarkedYAMLError):
        load_yaml("claims:\n  - id: a\n    id: b\n")
    with pytest.raises(MarkedYAMLError):
        load_yaml("claims:\n  - id: a\n   quote: x\n")


_keys = st.sampled_from(["id", "quote", "type", "on", "yes", "note", "é", "a b", "1", "null"])
_scalars = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(SCALARS),
    st.integers(-1000, 1000),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=_data, flow=st.sampled_from([False, None]), width=st.sampled_from([20, 4096]),
       offset=st.sampled_from([0, 2]))
def test_anything_ruamel_writes_reads_back_the_same(data, flow, width, offset):
    import io

    import yaml as pyyaml

    writer = YAML(typ="rt")
    writer.width = width
    writer.indent(mapping=2, sequence=2 + offset, offset=offset)
    out = io.StringIO()
    writer.dump(data, out)
    check(out.getvalue())
    check(pyyaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, width=width))


def test_the_resolver_table_is_ruamels_own():
    """fastyaml writes out ruamel's YAML 1.2 implicit resolvers (so that the fast
    path imports no ruamel): the same kinds, in the same order, for the same first
    characters, with the same patterns and flags."""
    import re

    from ruamel.yaml.resolver import implicit_resolvers

    theirs = [(str(tag).rsplit(":", 1)[-1], regexp.flags & re.X, tuple(first), regexp.pattern)
              for versions, tag, regexp, first in implicit_resolvers if (1, 2) in versions]
    ours = [(kind, flags & re.X, first, source)
            for kind, flags, first, source in fastyaml.RESOLVERS_1_2]
    assert ours == theirs


def test_reading_a_claims_file_imports_no_ruamel_unless_it_must():
    """The fast path needs no ruamel (its import is 7 ms of every build); a file
    the fast path steps aside for is read by ruamel, imported then."""
    import subprocess

    script = (
        "import sys\n"
        "from evidence.claims.loader import parse_claims\n"
        "text = 'claims:\\n  - id: a\\n    quote: x\\n    type: symptom\\n'\n"
        "claims, problems = parse_claims(text, 'c.yaml')\n"
        "assert claims is not None and not problems, problems\n"
        "print(any(m.startswith('ruamel') for m in sys.modules))\n"
        "claims, problems = parse_claims('claims:\\n  - &a id: a\\n', 'c.yaml')\n"
        "print(any(m.startswith('ruamel') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
