"""Initials of given names, the one rule for the database, the pages and the check."""

from __future__ import annotations

import re
from functools import lru_cache

# Given names printed as their initials already: "AMT", "DM" (up to four capitals).
_ALREADY_INITIALS = re.compile(r"[^\W\d_]{1,4}")
_WORD_BREAK = re.compile(r"[\s.\-\u2010\u2011]+")


@lru_cache(maxsize=65536)
def initials(given: str | None) -> str:
    """Vancouver initials: "Daniel M." → "DM", "Jean-Pierre" → "JP", "AMT" → "AMT".

    Only words that start with a capital count after the first ("Ana de la" →
    "A"); a given name written as capitals alone ("AMT") is its initials."""
    if not given:
        return ""
    given = given.strip()
    if given.isupper() and _ALREADY_INITIALS.fullmatch(given):
        return given
    letters: list[str] = []
    for word in _WORD_BREAK.split(given):
        word = word.strip("{}")
        if word and word[0].isalpha() and (word[0].isupper() or not letters):
            letters.append(word[0].upper())
    return "".join(letters)
