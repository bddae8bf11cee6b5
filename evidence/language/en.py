"""English: also the fallback for a language without a lexicon."""

from __future__ import annotations

import re

from evidence.language import Lexicon

LEXICON = Lexicon(
    language="en",
    research=re.compile(
        r"\b(?:stud(?:y|ies)|research\w*|evidence\w*|literature|trials?|proven|shown to"
        r"|meta-?analys[ie]s|systematic reviews?|according to|scientists?|science shows"
        r"|data show)\b",
        re.IGNORECASE),
    dose_units=r"sets?|reps?|repetitions?|seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?"
               r"|weeks?|months?|years?|times|percent|degrees?",
    dose_units_before=r"week|day|month",
    range_words=r"to",
    duration=r"\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    dose=r"\b(?:sets?|reps?|repetitions?|rpm|g/kg|kg|mg|ml|degrees?)\b|\bper (?:week|day|leg)\b",
    comparison=r"\b(?:better|best|worse|worst|more|most|less|least|fewer|than|higher|lower"
               r"|greater|greatest|faster|slower|stronger|weaker|heavier|lighter)\b",
    # Third person and past tense, not the imperative ("increase the load").
    effect=r"\b(?:increases|increased|reduces|reduced|decreases|decreased|improves|improved"
           r"|worsens|worsened|inhibits|inhibited|impairs|impaired|affects|affected"
           r"|prevents|prevented|causes|caused|relieves|relieved|alleviates|alleviated"
           r"|aggravates|aggravated|lowers|raises|strengthens|weakens|shortens|lengthens"
           r"|speeds up|slows down|predicts|predicted)\b",
    evidence=r"\b(?:research\w*|stud(?:y|ies|ied)|evidence|consensus|literature|trials?"
             r"|documented|meta-analys[ie]s)\b",
    number_words=r"\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred"
                 r"|thousand|half|twice|double|third|quarter|dozen)\b",
    function_words=frozenset({
        "the", "and", "is", "of", "to", "that", "with", "are", "be", "this", "it", "or",
        "can", "if", "not", "you", "your", "when", "from", "after", "but", "which", "was",
        "have", "has", "on", "at", "by", "more", "also"}),
    note_labels=frozenset({"important", "warning", "caution", "remember", "notice", "note",
                           "tip"}),
    markers=frozenset({"true", "false", "yes", "no", "consensus", "none", "null"}),
    reference_headings=frozenset({"references", "reference list", "bibliography", "sources",
                                  "literature", "works cited", "further reading",
                                  "sources and references"}),
)
