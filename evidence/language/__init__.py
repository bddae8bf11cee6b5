"""One lexicon per language: the words check and coverage look for (research, doses, effects).

Each language has a module (``da``, ``en``) holding its :class:`Lexicon`;
:func:`lexicon` picks one by language code, falling back to English for a
language without one. Doses are read with every language's units at once: a
Danish guide quotes English terms ("10-15 reps"), and the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Lexicon:
    """One language's words, as regular expressions (strings unless compiled)."""

    language: str
    # evidence check: wording that promises research ("studie", "study shows")
    research: re.Pattern
    # evidence check: units after a number ("3 sæt"), before one ("Uge 1-2"), range words
    dose_units: str
    dose_units_before: str
    range_words: str
    # evidence coverage: what makes a sentence look factual
    duration: str
    dose: str
    comparison: str
    effect: str  # verbs saying what something does to something else
    evidence: str
    number_words: str
    function_words: frozenset[str]  # common words that tell the language of a text
    # evidence check: labels that start a note, not an item a lead-in announces ("Vigtigt: …")
    note_labels: frozenset[str]
    # evidence check: a consensus "reason" that is only a marker ("ja", "yes")
    markers: frozenset[str]
    # the headings of a printed reference list ("Kilder", "References"), lower-case
    reference_headings: frozenset[str]
    # claim stubs (evidence import, draft): what is not a claim, and what a claim is about
    outline: str = r"(?!)"  # a sentence about the guide itself ("I denne guide gennemgår vi")
    first_person: str = r"(?!)"  # the authors speaking of themselves ("vi", "we")
    instruction_lead_ins: str = r"(?!)"  # "Sådan gør du:": the list is how to do an exercise
    exercise_verbs: str = r"(?!)"  # imperatives of body position and movement ("Lig", "Lie")
    advice: str = r"(?!)"  # words that make a sentence advice ("bør", "should")
    attribution: str = r"(?!)"  # words pointing back at a source named before ("Forfatterne")
    # (claim type, words that suggest it), the first to match wins; "treatment" otherwise
    claim_types: tuple[tuple[str, str], ...] = ()


def base_language(language: str | None) -> str:
    """"da" for "da", "da-DK", "da_DK" or "DA"; English when none is given."""
    return (language or DEFAULT_LANGUAGE).lower().replace("_", "-").split("-")[0]


def _registry() -> dict[str, Lexicon]:
    from evidence.language import da, en

    return {lex.language: lex for lex in (da.LEXICON, en.LEXICON)}


LEXICONS: dict[str, Lexicon] = _registry()


def lexicon(language: str | None) -> Lexicon:
    """The lexicon for a language code ("da", "da-DK", "en-GB"); English otherwise."""
    return LEXICONS.get(base_language(language), LEXICONS[DEFAULT_LANGUAGE])


_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str | None:
    """The language (of those with lexicons) the text plainly reads as, else None.

    Counts each language's common words; one must be at least twice as frequent as any
    other, over at least 20 words of it."""
    counts = dict.fromkeys(LEXICONS, 0)
    for word in _WORD.findall(text.lower()):
        for code, lex in LEXICONS.items():
            if word in lex.function_words:
                counts[code] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return best if count >= 20 and count >= 2 * runner_up else None


# Units and signs that read the same in every language.
_SHARED_UNITS = r"x|×|%|rpm|bpm|g/kg|mg/kg|kcal|kg|mg|ml|km|g|°|watt|w"


def _dose_pattern() -> re.Pattern:
    """A number or range with a unit after it, or a week or day before it, in any language.

    The order of the alternatives does not change what matches: a unit must end
    where no letter or '/' follows, so no unit can stop inside a longer one."""
    lexicons = list(LEXICONS.values())
    ranges = "|".join(["-|–", *(lex.range_words for lex in lexicons)])
    number = rf"\d+(?:[.,]\d+)?(?:\s*(?:{ranges})\s*\d+(?:[.,]\d+)?)?\+?"
    after = "|".join([*(lex.dose_units for lex in lexicons), _SHARED_UNITS])
    before = "|".join(lex.dose_units_before for lex in lexicons)
    return re.compile(
        rf"(?<![\w.,]){number}\s*(?:{after})(?![\w/])|\b(?:{before})\s+{number}\b",
        re.IGNORECASE,
    )


DOSE = _dose_pattern()

# A guide's labels and an editor's markers may be in any of the languages: all count.
NOTE_LABELS: frozenset[str] = frozenset().union(*(lex.note_labels for lex in LEXICONS.values()))
# Markers that are no word of any language.
_SHARED_MARKERS = frozenset({"", "x", "-", "?", "~", "todo", "tbd", "fixme"})
MARKERS: frozenset[str] = _SHARED_MARKERS.union(*(lex.markers for lex in LEXICONS.values()))

# Reference-list headings of languages that have no lexicon yet: a guide may be
# written in any of them, and its printed list must still be found.
_OTHER_REFERENCE_HEADINGS = {
    "de": frozenset({"quellen", "literatur", "literaturverzeichnis", "quellenverzeichnis"}),
    "fr": frozenset({"références", "bibliographie", "sources"}),
    "es": frozenset({"referencias", "bibliografía", "fuentes"}),
    "sv": frozenset({"referenser", "källor", "litteratur", "källförteckning"}),
    "nb": frozenset({"kilder", "referanser", "litteratur", "litteraturliste"}),
}
# A guide's reference list is recognised by its heading in any language: a
# Danish guide may print an English "References" list, and the other way round.
REFERENCE_HEADINGS: frozenset[str] = frozenset().union(
    *(lex.reference_headings for lex in LEXICONS.values()),
    *_OTHER_REFERENCE_HEADINGS.values())


def is_reference_heading(heading: str) -> bool:
    """True for the heading of a printed reference list: "Kilder", "## Kildeliste:",
    "References" (case, surrounding space and a final colon do not matter)."""
    words = " ".join(heading.split()).rstrip(":").strip().casefold()
    return words in REFERENCE_HEADINGS
