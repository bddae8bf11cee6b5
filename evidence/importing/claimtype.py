"""A guessed claim type for a stub, for the editor to correct: cue words per language."""

from __future__ import annotations

import re

from evidence.check.coverage import Verdict
from evidence.language import Lexicon

DEFAULT_TYPE = "treatment"  # what most statements of a health guide are about


def guess_type(sentence: str, section: str, verdict: Verdict, lexicon: Lexicon) -> str:
    """``dosage`` for an amount of training or food; else the first type of the
    lexicon whose cue words the sentence holds (then its section's heading);
    else ``treatment``."""
    if verdict.kind == "dose" and any(r.startswith(("dose", "duration", "percentage"))
                                      for r in verdict.reasons):
        return "dosage"
    for text in (sentence, section):
        for claim_type, cues in lexicon.claim_types:
            if re.search(cues, text, flags=re.IGNORECASE):
                return claim_type
    return DEFAULT_TYPE
