"""Danish."""

from __future__ import annotations

import re

from evidence.language import Lexicon

LEXICON = Lexicon(
    language="da",
    # Matched as parts of words, for compounds ("tendinopatilitteraturen",
    # "forskningsresultater", "evidensbaseret"); "undersøgelse" alone is also a
    # clinical examination, so only "undersøgelser viser" counts.
    research=re.compile(
        r"(?<!\w)\w*?(?:forskning|forsker|studie|evidens|litteratur|videnskab)\w*"
        r"|\bdokumentation\w*|\bdokumenteret\b|\bundersøgelser viser\b|\bundersøgelsen viste\b"
        r"|\brandomiser\w*|\bmeta-?analyse\w*|\bsystematisk(?:e)? oversigt\w*",
        re.IGNORECASE),
    dose_units=r"sæt|gentagelser|gentagelse|sekunder|sekund|sek|minutter|minut|min|timer|time"
               r"|døgn|dage|dag|uger|uge|måneder|måned|mdr|år|gange|procent|grader",
    dose_units_before=r"uge|dag|måned",
    range_words=r"til",
    duration=r"\b(?:sekund(?:er|erne)?|minut(?:ter|terne)?|timer?|døgn|dag(?:e|en|ene)?"
             r"|uge(?:r|n|rne)?|måned(?:er|en|erne)?|år(?:et|ene)?)\b|\bsek\.",
    dose=r"\b(?:sæt|reps?|gentagelser|rpm|g/kg|kg|mg|ml|grader)\b|\bper (?:uge|dag|ben)\b",
    comparison=r"\b(?:bedre|bedst[e]?|værre|værst[e]?|mere|mest[e]?|mindre|mindst[e]?|flere"
               r"|færre|end|højere|lavere|større|størst[e]?|hurtigere|langsommere|oftere"
               r"|sjældnere|stærkere|svagere|tungere|lettere)\b",
    # Present and past tense, not the imperative ("øg belastningen" is an instruction).
    effect=r"\b(?:(?:for)?øge(?:r|de)|mindske(?:r|de)|reducere(?:r|de)|forbedre(?:r|de)"
           r"|forværre(?:r|de)|hæmme(?:r|de)|påvirke(?:r|de)|nedsætter|nedsatte"
           r"|forebygge(?:r|de)|forhindre(?:r|de)|fremme(?:r|de)|lindre(?:r|de)"
           r"|forårsage(?:r|de)|medfører|medførte|belaste(?:r|de)|aflaste(?:r|de)"
           r"|styrke(?:r|de)|svække(?:r|de)|forlænge(?:r|de)|forkorte(?:r|de))\b",
    # Substrings, not words: Danish compounds ("tendinopatilitteraturen",
    # "forskningsresultater", "evidensbaseret").
    evidence=r"forskning|forsker|studie|evidens|dokumentation|dokumenteret|konsensus"
             r"|litteratur|undersøgelsen viste|forsøg|artikel|artiklen|forfatterne",
    number_words=r"\b(?:to|tre|fire|fem|seks|syv|otte|ni|ti|tolv|tyve|hundrede|tusind"
                 r"|halvdelen|dobbelt|tredjedel|fjerdedel)\b",
    function_words=frozenset({
        "og", "er", "det", "på", "til", "ikke", "med", "som", "af", "har", "kan", "der",
        "de", "et", "eller", "ved", "hvis", "skal", "være", "meget", "du", "dig", "din",
        "også", "fra", "når", "efter", "hvor", "men", "mere"}),
    note_labels=frozenset({"vigtigt", "bemærk", "obs", "nb", "husk", "tip", "advarsel",
                           "pointe", "note"}),
    markers=frozenset({"ja", "nej", "konsensus"}),
    reference_headings=frozenset({"kilder", "kildeliste", "referencer", "referenceliste",
                                  "litteratur", "litteraturliste", "kilder og referencer",
                                  "litteraturliste og kilder", "videre læsning"}),
    outline=r"\bi denne (?:guide|artikel|tekst|vejledning)\b|\bnedenfor (?:gennemgår|beskriver)\b"
            r"|\b(?:gennemgår|beskriver) vi\b|^(?:denne|dette) (?:guide|artikel|tekst)\b"
            r"|^(?:det|dette) er en (?:guide|artikel|vejledning)\b",
    first_person=r"\b(?:vi|os|vores)\b",
    instruction_lead_ins=r"^(?:sådan gør du|sådan|udførelse|fremgangsmåde|instruktion(?:er)?"
                         r"|udgangsstilling)\s*:?$",
    exercise_verbs=r"(?:lig|ligge|stå|sid|knæl|læg|pres|løft|sænk|bøj|stræk|træk|skub|spænd"
                   r"|rul|drej|vend|placér|placer|hold|hop|gå|før|kontrollér|kontroller)",
    advice=r"\bbør\b|\bskal\b|\bvigtigt(?: at| med)\b|\banbefal\w*|\bgod idé\b|\bundgå\b",
    attribution=r"^(?:forfatterne|forskerne|artiklen|studiet|undersøgelsen|review-artiklen"
                r"|oversigtsartiklen)\b",
    claim_types=(
        ("safety", r"\blæge\b|\brøde flag\b|\bakut\w*|\binfektion\w*|\bhævelse\b"
                   r"|\bfølelsesløs\w*|\bsøg\w* (?:læge|hjælp)|\bmistanke\b"),
        ("prognosis", r"\bprognose\w*|\bkomme sig\b|\bbedring\b|\bvarighed\w*|\bforløb\w*"
                      r"|\btilbagefald\b|\bgenstridig\b|\bkronisk\w*|\btager (?:typisk )?\d"),
        ("diagnosis", r"\bdiagnos\w*|\bundersøgelse\w*|\bultralyd\w*|\bbilleddiagnostik\b"
                      r"|\bskelne\b|\bMR\b|\bscanning\w*|\bindikator\b|\bårsager\b"),
        ("symptom", r"\bsymptom\w*|\bstivhed\b|\bømhed\b|\bsmerte(?:n|r)? (?:ved|bag|på)\b"
                    r"|\bgør ondt\b|\bværre\b"),
        ("etiology", r"\bårsag\w*|\bopstår\b|\bskyldes\b|\brisiko\w*|\boverbelast\w*"
                     r"|\bprovokere\w*|\bstigning\b"),
        ("epidemiology", r"\bhyppig\w*|\balmindelig\w*|\bsjælden\b|\bforekomst\w*"
                         r"|\bofte overset\w*|\bmindre kendte\b"),
        ("anatomy", r"\bfæster\b|\budspringer\b|\bmusk(?:el|ler)\b|\bsenefæste\w*"
                    r"|\bknogle\w*|\bmedialt\b|\blateralt\b"),
        ("lifestyle", r"\bsøvn\w*|\bstress\w*|\bkost\b|\bprotein\b|\bernæring\w*"
                      r"|\benergi\w*|\blivsstil\w*|\bpsyke\w*|\btanker\b"),
        ("mechanism", r"\bfordi\b|\bmekanism\w*|\bkapacitet\w*|\btilpasse\w*|\bheling\b"
                      r"|\bvæksthormon\w*|\bstrain\b"),
        ("definition", r"^\S+(?: \S+)? er en \w*(?:skade|tilstand|lidelse|sygdom)\b"),
    ),
)
