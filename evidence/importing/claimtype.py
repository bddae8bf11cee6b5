"""A guessed claim type for a stub, for the editor to correct: cue words per language."""

from __future__ import annotations

import re

from evidence.check.coverage import Verdict
from evidence.language import DOSE, Lexicon

DEFAULT_TYPE = "treatment"  # what most statements of a health guide are about


def guess_type(sentence: str, section: str, verdict: Verdict, lexicon: Lexicon) -> str:
    """``dosage`` for an amount of training or food (sets, repetitions, a weight,
    "per uge", "3 x 10"); else the first type of the lexicon whose cue words the
    sentence holds; else ``dosage`` for a number with a unit ("30-45 sekunder",
    "10 %"); else the type its section's heading gives by the same cue words;
    else ``treatment``, the default. A duration or amount word without a number
    ("hver dag", "uger til måneder") is no dose: the guess falls through to the
    cue words, and without any to the default, not to ``dosage``."""
    dose = verdict.kind == "dose"
    if dose and any(r.startswith("dose") for r in verdict.reasons):
        return "dosage"
    if found := _cued(sentence, lexicon):
        return found
    if dose and DOSE.search(sentence):
        return "dosage"
    return _cued(section, lexicon) or DEFAULT_TYPE


def _cued(text: str, lexicon: Lexicon) -> str | None:
    for claim_type, cues in lexicon.claim_types:
        if re.search(cues, text, flags=re.IGNORECASE):
            return claim_type
    return None
