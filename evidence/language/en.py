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
             r"|documented|meta-analys[ie]s|reviews?|articles?|authors|researchers)\b",
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
    outline=r"\bin this (?:guide|article|text|leaflet|page)\b|\bbelow we\b"
            r"|\bwe (?:describe|explain|cover|go through|look at)\b"
            r"|^this (?:is an? )?(?:guide|article|page|leaflet)\b",
    first_person=r"\b(?:we|us|our)\b",
    instruction_lead_ins=r"^(?:how to do it|how to|instructions?|technique|starting position"
                         r"|what to do)\s*:?$",
    exercise_verbs=r"(?:lie|stand|sit|kneel|press|push|lift|lower|bend|straighten|pull|squeeze"
                   r"|roll|rotate|turn|place|hold|hop|step|brace|tighten|slide)",
    advice=r"\bshould\b|\bmust\b|\bimportant to\b|\brecommend\w*|\bavoid\b"
           r"|\bgood idea\b|\bbest to\b",
    attribution=r"^(?:the )?(?:authors|researchers|study|review|article|paper|trial|investigators)"
                r"\b|^(?:they|it) (?:found|showed|reported|concluded|noted|recommend\w*)\b",
    claim_types=(
        ("safety", r"\bdoctor\b|\bGP\b|\bred flags?\b|\burgent\w*|\bemergency\b"
                   r"|\binfection\b|\bswelling\b|\bnumbness\b|\bseek (?:medical )?(?:help|advice|care)\b"),
        ("prognosis", r"\bprognosis\b|\brecover\w*|\bheal(?:s|ed)? within\b|\bduration\b"
                      r"|\brelapse\w*|\bchronic\b|\btakes? (?:about |typically )?\d"),
        ("diagnosis", r"\bdiagnos\w*|\bexamination\b|\bultrasound\b|\bscan\w*|\bMRI\b"
                      r"|\bx-ray\w*|\btell apart\b|\bcauses of\b"),
        ("symptom", r"\bsymptoms?\b|\bstiffness\b|\btenderness\b|\bpain (?:at|on|in|when|behind)\b"
                    r"|\bhurts?\b|\bworse\b|\baches?\b"),
        ("etiology", r"\bcause[sd]?\b|\brisk\w*|\boverload\w*|\barises?\b|\bdue to\b"
                     r"|\btriggers?\b"),
        ("epidemiology", r"\bcommon\w*|\brare\b|\bprevalen\w*|\bincidence\b|\boften overlooked\b"),
        ("anatomy", r"\battach\w*|\borigin\w*|\bmuscles?\b|\btendons? (?:run|join|connect)\w*"
                    r"|\bbones?\b|\binsertion\w*"),
        ("lifestyle", r"\bsleep\w*|\bstress\w*|\bdiet\w*|\bprotein\b|\bnutrition\w*"
                      r"|\benergy\b|\balcohol\b|\bsmok\w*|\bthoughts?\b"),
        ("mechanism", r"\bbecause\b|\bmechanism\w*|\bcapacity\b|\badapt\w*|\bhealing\b"
                      r"|\bstrain\b"),
        ("definition", r"^\S+(?: \S+){0,2} (?:is|are) an? \w*(?:injury|condition|disorder"
                       r"|disease|problem)\b"),
    ),
)
