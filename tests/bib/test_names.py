"""Person names: split, parsed and decoded (evidence.bib.names), and their initials."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pypandoc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.bib.initials import initials
from evidence.bib.names import parse_person_name, split_person_names
from evidence.bib.references import load_references

REPO = Path(__file__).resolve().parents[2]
CDL = REPO.parent / "shared" / "bench" / "cdl.bib"


@pytest.mark.parametrize(("written", "family", "given"), [
    (r"Sz\~{u}cs, Attila", "Szũcs", "Attila"),
    (r"Er\~{o}ss, G{\'a}bor", "Erõss", "Gábor"),
    (r"Pi\~na, J", "Piña", "J"),
    (r"N\'u\~nez, Ana", "Núñez", "Ana"),
    (r"Sz{\~u}cs, Attila", "Szũcs", "Attila"),
    (r"M{\"u}ller, J{\o}rgen", "Müller", "Jørgen"),
    (r"Donald~E. Knuth", "Knuth", "Donald E."),
    (r"{\O}stergaard, Lars", "Østergaard", "Lars"),
])
def test_accents_with_and_without_braces_keep_every_letter(written, family, given):
    name = parse_person_name(written)
    assert (name.family, name.given) == (family, given)


@pytest.mark.parametrize(("given", "expected"), [
    ("Daniel M.", "DM"), ("Y. A. E.", "YAE"), ("Jean-Pierre", "JP"), ("AMT", "AMT"),
    ("Sze Ting", "ST"), ("Åse", "Å"), ("Ana María", "AM"), ("", ""), (None, ""),
    ("D.M.", "DM"), ("Daniel", "D"),
])
def test_initials(given, expected):
    assert initials(given) == expected


def _letters(*parts: str | None) -> Counter[str]:
    """The letters of a name's parts, composed (NFC): "ũ" is one letter, not "u".

    pandoc reads ``\\'{\\i}`` as a dotless ı with an acute accent; that is an í."""
    text = "".join(part or "" for part in parts).replace("\u0131\u0301", "\u00ed")
    return Counter(ch for ch in unicodedata.normalize("NFC", text) if ch.isalpha())


@pytest.fixture(scope="module")
def pandoc_names() -> dict[str, list[dict]]:
    if not CDL.is_file():
        pytest.skip(f"{CDL} is not present")
    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "bibtex", "-t", "csljson", str(CDL)],
                         capture_output=True, check=True).stdout
    return {item["id"]: item.get("author", []) for item in json.loads(out)}


def test_no_name_of_cdl_bib_loses_a_letter_pandoc_reads(pandoc_names):
    """Every letter pandoc reads in a name (accented letters as themselves) is in ours.

    A name is compared whole: where a malformed name (``M \\ ' { A } Serrano``)
    can be split two ways, a letter may sit in the given name for one reader and
    in the family name for the other, and neither has lost it."""
    lost = []
    compared = 0
    for source in load_references(CDL, validate=False):
        theirs = [n for n in pandoc_names.get(source.key, []) if "family" in n]
        ours = [n for n in source.names("author") if not n.others and n.literal is None]
        for mine, pandoc in zip(ours, theirs, strict=False):
            compared += 1
            missing = _letters(pandoc.get("family"), pandoc.get("given"),
                               pandoc.get("non-dropping-particle"), pandoc.get("suffix")) \
                - _letters(mine.full_family, mine.given)
            if missing:
                lost.append((source.key, mine.full_family, mine.given, pandoc, "".join(missing)))
    assert compared > 15000
    assert lost == [], f"{len(lost)} names lose letters, e.g. {lost[:5]}"


def _split_walking(value: str) -> list[str]:
    """The split as it was written first, character by character: the reference."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and char.isspace():
            match = re.compile(r"\s+and\s+", re.IGNORECASE).match(value, i)
            if match and match.end() < len(value):
                names.append(value[start:i])
                start = i = match.end()
                continue
        i += 1
    names.append(value[start:])
    return [" ".join(n.split()) for n in names if n.strip()]


@given(st.lists(st.sampled_from(["and", "AND", "And", " ", "  ", "\t", "\n", "A", "b.",
                                 ",", "others", "x", "\u00a0", "\u2003", "-", "{", "}",
                                 "\\", "\\'", "\\{", "\\ ", "~"]),
                max_size=16).map("".join))
@settings(max_examples=1000)
def test_splitting_by_tokens_is_the_walk_through_the_characters(value):
    """split_person_names finds each ``and`` outside braces the character walk finds."""
    assert split_person_names(value) == _split_walking(value)
