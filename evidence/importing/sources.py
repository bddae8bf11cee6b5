"""Which printed source a sentence names: by journal, first author or year.

A guide attributes a statement by naming where it was published ("Ifølge
forskning publiceret i Knee Surgery, Sports Traumatology, Arthroscopy",
"review-artiklen fra PM&R", "Et studie fra 2025 i Journal of Medical
Ultrasound"), rarely by author. The printed list gives the journal as an
abbreviation (``Knee Surg Sports Traumatol Arthrosc``, ``PM R``,
``J Med Ultrasound``); a sentence names the journal when its words, in order,
begin with the abbreviation's words ("J" → "Journal", "Med" → "Medical"),
small words such as "of" and "and" aside, or when both spell the same letters
("PM R" and "PM&R"). A year counts only beside a word about research and only
when one printed source has it. A sentence that opens by pointing back
("Forfatterne bemærker", "The authors note") names the source the sentence
before it named, within one section.

What is found is a draft for the editor, written as a comment: never a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.bib.citekeys import ascii_fold
from evidence.bib.printed import PrintedCitation
from evidence.language import Lexicon

_WORD = re.compile(r"[^\W_]+(?:[&'’][^\W_]+)*")
_SMALL = frozenset({"of", "and", "the", "for", "in", "on", "&", "og", "i", "de", "la"})
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class PrintedSource:
    """A source of the printed list and the citekey it has or will have."""

    number: int  # position in the printed list, 1-based
    key: str
    citation: PrintedCitation


@dataclass(frozen=True)
class Named:
    """A printed source a sentence names, and how it names it."""

    source: PrintedSource
    how: str  # "journal 'PM R' and year 2022", "as the sentence before"


def _abbreviation_words(journal: str) -> list[str]:
    return [_fold(w) for w in re.findall(r"[^\W\d_]+", journal) if _fold(w) not in _SMALL]


def _fold(word: str) -> str:
    """Case and letters aside: a printed abbreviation spells "Læger" as "Laeger"."""
    return ascii_fold(word).casefold()


def _names_journal(words: list[str], compact: set[str], journal: str) -> bool:
    wanted = _abbreviation_words(journal)
    if not wanted:
        return False
    letters = "".join(wanted)
    if len(letters) >= 3 and letters in compact:
        return True
    if len(wanted) < 2:
        return any(w == wanted[0] for w in words) and len(wanted[0]) >= 5
    for start in range(len(words) - len(wanted) + 1):
        if all(words[start + i].startswith(w) for i, w in enumerate(wanted)):
            return True
    return False


def named_sources(sentence: str, sources: list[PrintedSource],
                  lexicon: Lexicon) -> list[Named]:
    """The printed sources a sentence names on its own, best first (several only on a tie)."""
    tokens = _WORD.findall(sentence)
    words = [_fold(t) for t in tokens if _fold(t) not in _SMALL]
    compact = {re.sub(r"[^0-9a-z]", "", _fold(t)) for t in sentence.split()}
    compact.discard("")
    years = {m.group(0) for m in _YEAR.finditer(sentence)}
    about_research = re.search(lexicon.evidence, sentence, flags=re.IGNORECASE) is not None
    scored: list[tuple[int, PrintedSource, str]] = []
    for source in sources:
        c = source.citation
        how = []
        if c.journal and _names_journal(words, compact, c.journal):
            how.append(f"journal {c.journal!r}")
        first = c.authors[0].family if c.authors else None
        if first and len(first) > 2 and first in tokens:
            how.append(f"first author {first}")
        if c.year and c.year in years:
            how.append(f"year {c.year}")
        score = (2 * (len(how) - (1 if c.year in years else 0))
                 + (1 if c.year in years else 0))
        if how and (score >= 2 or about_research):
            scored.append((score, source, " and ".join(how)))
    if not scored:
        return []
    best = max(score for score, _, _ in scored)
    winners = [(source, how) for score, source, how in scored if score == best]
    if best < 2 and len(winners) > 1:
        return []  # a year shared by several sources names none of them
    return [Named(source, how) for source, how in winners]


def points_back(sentence: str, lexicon: Lexicon) -> bool:
    """Whether the sentence opens by pointing at a source named before ("Forfatterne …")."""
    return re.match(lexicon.attribution, sentence.strip(), flags=re.IGNORECASE) is not None
