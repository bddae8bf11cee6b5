"""A deterministic synthetic corpus in the project's own formats.

    python benchmarks/corpus.py OUT [--shape NAME] [--guides 1000] [--claims 100]
        [--sources 20000] [--links-per-claim 2.5] [--seed 1]

writes ``OUT/references.bib`` and ``OUT/claims/<guide>/{guide.md,claims.yaml}``:
Danish guides with ``##``/``###`` sections, paragraphs and lists; claims whose
quotes anchor exactly once; on average 2.5 evidence links per claim (the
total is exact: guides × claims × links-per-claim); sources with realistic
fields, every study design, DOIs, ``@string`` macros, some LaTeX-encoded
names and some retracted or corrected through the ``updates`` field.

A shape (``--shape``, :data:`SHAPES`) sets the defaults of the other flags
and the kind of text; flags given with it override its defaults:

- ``short``: many short guides (300 guides x 60 claims, 3,000 sources);
- ``long``: few long guides whose paragraphs look alike, as exercise lists,
  doses and FAQs do (20 guides x 480 claims, 2,000 sources);
- ``bib``: one huge references.bib and few claims (25,000 sources, 20 guides
  x 25 claims);
- ``links``: many links per claim, 10 to 20 (100 guides x 60 claims, 5,000
  sources, 90,000 links);
- ``large``: the 100,000-claim corpus (1,000 guides x 100 claims, 20,000
  sources), the defaults without ``--shape``.

The same arguments always give the same bytes (one ``random.Random(seed)``,
no clock, no hash ordering), so benchmark runs compare like with like.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.scale import STUDY_DESIGNS

CLAIM_TYPES = (
    "definition", "anatomy", "epidemiology", "etiology", "mechanism", "symptom",
    "diagnosis", "treatment", "dosage", "prognosis", "safety", "lifestyle",
)
TYPE_WEIGHTS = (4, 5, 8, 8, 6, 10, 9, 20, 8, 8, 6, 8)

# Words of the guides: Danish health prose, æ/ø/å included.
NOUNS = (
    "smerte", "senen", "knæet", "hælen", "skulderen", "ryggen", "hoften", "ankelen",
    "belastningen", "træningen", "genoptræningen", "behandlingen", "undersøgelsen",
    "løbere", "patienter", "idrætsudøvere", "ældre", "børn", "kvinder", "mænd",
    "hasemusklerne", "lægmusklen", "akillessenen", "menisken", "brusken", "knoglen",
    "betændelsen", "hævelsen", "stivheden", "søvnen", "kosten", "vægten", "stress",
    "restitutionen", "kapaciteten", "styrken", "bevægeligheden", "balancen",
    "symptomerne", "forløbet", "diagnosen", "scanningen", "ultralyd", "røntgen",
    "fysioterapeuten", "lægen", "kirurgen", "øvelserne", "pauserne", "hvilen",
    "bækkenet", "fodbuen", "skoene", "underlaget", "kadencen", "skridtlængden",
    "muskelstyrken", "senevævet", "kollagenet", "blodforsyningen", "nerverne",
    "smertestillende", "injektionen", "operationen", "stødbølgebehandling", "massagen",
    "tapingen", "bandagen", "isen", "varmen", "udstrækningen", "opvarmningen",
)
VERBS = (
    "øger", "mindsker", "påvirker", "forbedrer", "forværrer", "ændrer", "styrker",
    "belaster", "aflaster", "beskytter", "provokerer", "lindrer", "fremmer", "hæmmer",
    "reducerer", "forlænger", "forkorter", "stabiliserer", "irriterer", "genopbygger",
)
ADJECTIVES = (
    "hyppig", "sjælden", "vigtig", "gradvis", "langsom", "hurtig", "tung", "let",
    "kronisk", "akut", "lokal", "diffus", "medial", "lateral", "distal", "proksimal",
    "isometrisk", "excentrisk", "koncentrisk", "progressiv", "tidlig", "sen", "øget",
    "nedsat", "væsentlig", "moderat", "kraftig", "forsigtig", "målrettet", "særlig",
)
FILLERS = (
    "ofte", "typisk", "især", "gradvist", "over tid", "i starten", "efter nogle uger",
    "hos de fleste", "ved løb", "ved cykling", "om morgenen", "efter træning",
    "under belastning", "i hvile", "på længere sigt", "i de første dage", "samtidig",
    "i mange tilfælde", "hos enkelte", "ifølge flere studier", "i praksis",
)
CONNECTORS = ("og", "men", "mens", "fordi", "når", "selvom", "så", "hvis", "da", "efter")
HEADINGS = (
    "Hvad er {t}?", "Årsager til {t}", "Symptomer på {t}", "Diagnose og undersøgelse",
    "Behandling af {t}", "Genoptræning trin for trin", "Forebyggelse", "Prognose",
    "Risikofaktorer", "Træningsrelaterede faktorer", "Biomekaniske faktorer",
    "Livsfaktorer", "Smertemonitorering", "Tilbage til løb", "Hvornår skal du søge hjælp?",
    "Øvelser i fase {n}", "Belastningsstyring", "Søvn og restitution", "Kost og vægt",
    "Differentialdiagnoser", "Myter og misforståelser", "Opsummering",
)
CONDITIONS = (
    "hasetendinopati", "akillestendinopati", "løberknæ", "springerknæ", "skinnebensbetændelse",
    "hælspore", "frossen skulder", "tennisalbue", "lændesmerter", "hofteartrose",
    "knæartrose", "ankelforstuvning", "lyskesmerter", "nakkesmerter", "plantar fasciitis",
    "bursitis", "muskelfibersprængning", "stressfraktur", "patellofemoral smerte",
    "iliotibialbåndsyndrom",
)
FAMILIES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Møller", "Østergaard", "Ågård", "Bæk", "Smith", "Johnson", "Williams",
    "Brown", "Garcia", "Müller", "Schmidt", "Rossi", "Dubois", "Silva", "Kim", "Wang",
    "Tanaka", "Cook", "Purdam", "Alfredson", "Magnusson", "Kjær", "Rathleff", "Thorborg",
    "Hölmich", "Mikkelsen", "Svendsen", "Cushman", "Malliaras", "Rio", "Docking",
    "van der Berg", "de Vos", "O'Neill", "Lindström",
)
GIVENS = (
    "Anna", "Mette", "Søren", "Jens", "Lars", "Kirsten", "Bjørn", "Åse", "Peter",
    "Maria", "John", "Emily", "David", "Sarah", "Michael", "Laura", "Thomas", "Julia",
    "Kristian", "Henrik", "M.", "J. P.", "K.", "A. B.", "L.", "Per", "Ole",
)
# A few names as an editor would type them in LaTeX, for the decoding path.
LATEX_FAMILIES = ("M{\\o}ller", "S{\\o}rensen", "{\\O}stergaard", "{\\AA}g{\\aa}rd",
                  "M{\\\"u}ller", "H{\\\"o}lmich", "Kj{\\ae}r", "Lindstr{\\\"o}m")
ORGANISATIONS = ("{Sundhedsstyrelsen}", "{World Health Organization}",
                 "{Danish Society of Sports Physical Therapy}", "{NICE Guideline Group}")
TITLE_WORDS = (
    "tendinopathy", "loading", "exercise", "randomised", "trial", "cohort", "runners",
    "athletes", "pain", "knee", "hamstring", "Achilles", "patellar", "eccentric",
    "isometric", "rehabilitation", "injury", "prevention", "ultrasound", "MRI",
    "systematic", "review", "meta-analysis", "outcomes", "function", "return", "sport",
    "Danish", "population", "incidence", "prevalence", "risk", "factors", "diagnosis",
    "treatment", "injection", "surgery", "load", "management", "tendon", "structure",
    "biomechanics", "strain", "cadaveric", "model", "older", "adults", "women", "men",
)
JOURNALS = (
    "Br J Sports Med", "Am J Sports Med", "Scand J Med Sci Sports", "J Orthop Sports Phys Ther",
    "Knee Surg Sports Traumatol Arthrosc", "PM R", "J Med Ultrasound", "Ugeskr Laeger",
    "Sports Med", "Clin J Sport Med", "Phys Ther Sport", "BMJ", "Lancet", "JAMA",
    "J Sci Med Sport", "Int J Sports Phys Ther", "Musculoskelet Sci Pract", "Pain",
)
MACROS = {"bjsm": "Br J Sports Med", "ajsm": "Am J Sports Med", "sjmss": "Scand J Med Sci Sports"}
DESIGN_WEIGHTS = {
    "systematic-review-of-trials": 6, "randomised-trial": 12, "systematic-review": 6,
    "non-randomised-trial": 4, "cohort": 12, "case-control": 6, "cross-sectional": 9,
    "diagnostic-accuracy": 4, "case-series": 5, "case-report": 5, "narrative-review": 10,
    "expert-opinion": 3, "consensus-statement": 3, "guideline": 3, "mechanistic": 6, "other": 2,
}
REVIEWERS = ("Mette Sørensen", "Jens Ågård", "Anna Møller", "Lars Østergaard")
CONSENSUS = (
    "Standard anatomy.", "Standard clinical teaching.", "Established physiology of tendon loading.",
    "Definition used throughout the tendinopathy literature.",
    "Common clinical practice in Danish physiotherapy.",
)


@dataclass(frozen=True)
class Shape:
    """The defaults a ``--shape`` sets: sizes, links and the kind of guide text."""

    guides: int
    claims: int
    sources: int
    links_per_claim: float = 2.5
    # None: 0 to 8 links a claim (the original corpus); else every claim's range.
    link_range: tuple[int, int] | None = None
    text: str = "prose"  # prose | repetitive (paragraphs that look alike)
    what: str = ""


SHAPES = {
    "short": Shape(300, 60, 3000, what="many short guides"),
    "long": Shape(20, 480, 2000, text="repetitive",
                  what="few long guides whose paragraphs look alike (exercises, doses, FAQs)"),
    "bib": Shape(20, 25, 25000, what="one huge references.bib, few claims"),
    "links": Shape(100, 60, 5000, links_per_claim=15, link_range=(10, 20),
                   what="many links per claim (10 to 20)"),
    "large": Shape(1000, 100, 20000, what="the 100,000-claim corpus"),
}
DEFAULT_SHAPE = "large"


@dataclass
class Corpus:
    guides: int
    claims: int
    sources: int
    links: int
    bytes: int


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def _sentence(rng: random.Random, condition: str) -> str:
    """One sentence of 8 to 24 words, lower case after the first letter."""
    parts = [_pick(rng, NOUNS), _pick(rng, VERBS), _pick(rng, NOUNS)]
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.3:
            parts.append(_pick(rng, FILLERS))
        elif choice < 0.55:
            parts += [_pick(rng, ADJECTIVES), _pick(rng, NOUNS)]
        elif choice < 0.8:
            parts += [_pick(rng, CONNECTORS), _pick(rng, NOUNS), _pick(rng, VERBS),
                      _pick(rng, NOUNS)]
        else:
            parts += ["ved", condition]
    if rng.random() < 0.2:
        parts.append(f"i {rng.randint(2, 12)} uger")
    text = " ".join(parts)
    if rng.random() < 0.15:
        text = text.replace(" ", ", ", 1)
    return text[0].upper() + text[1:] + "."


def _unique_sentence(rng: random.Random, condition: str, seen: set[str]) -> str:
    while True:
        sentence = _sentence(rng, condition)
        if sentence not in seen:
            seen.add(sentence)
            return sentence


def _emphasise(rng: random.Random, sentence: str) -> str:
    """Put Markdown bold around one word: quotes anchor Markdown-insensitively."""
    words = sentence.split(" ")
    i = rng.randrange(1, len(words))
    if words[i].endswith((".", ",")):
        return sentence
    words[i] = f"**{words[i]}**"
    return " ".join(words)


def _guide(rng: random.Random, number: int, n_claims: int):
    """The text of one guide and its claim sentences, grouped by section heading."""
    condition = _pick(rng, CONDITIONS)
    slug = f"guide-{number:04d}"
    title = f"{condition[0].upper()}{condition[1:]} hos løbere ({number})"
    seen: set[str] = set()
    # About 1.5 sentences per claim: the rest is prose no claim covers.
    lines: list[str] = []  # the lead comes first, without a heading (as in the real guide)
    claim_sentences: list[tuple[str, str]] = []  # (heading, sentence)
    remaining = n_claims + 5  # a few spare: the uniqueness check below may drop some
    lead = [_unique_sentence(rng, condition, seen) for _ in range(3)]
    lines += [" ".join(lead), ""]
    claim_sentences += [(title, s) for s in lead[:2]]
    remaining -= 2
    headings = rng.sample(HEADINGS, k=min(len(HEADINGS), 8 + rng.randint(0, 4)))
    per_section = max(1, remaining // len(headings))
    for index, heading in enumerate(headings):
        heading = heading.format(t=condition, n=index + 1)
        level = "###" if index and rng.random() < 0.3 else "##"
        lines += [f"{level} {heading}", ""]
        quota = per_section if index < len(headings) - 1 else remaining
        quota = min(quota, remaining)
        while quota > 0:
            if rng.random() < 0.3:
                items = [_unique_sentence(rng, condition, seen)[:-1] for _ in range(rng.randint(3, 6))]
                lead_in = _unique_sentence(rng, condition, seen)[:-1] + ":"
                lines += [lead_in, ""] + [f"- {item}" for item in items] + [""]
                take = items[: min(quota, len(items) - 1)]
            else:
                sentences = [_unique_sentence(rng, condition, seen) for _ in range(rng.randint(2, 5))]
                shown = [_emphasise(rng, s) if rng.random() < 0.1 else s for s in sentences]
                lines += [" ".join(shown), ""]
                take = [s for s, shown_s in zip(sentences, shown) if s == shown_s or rng.random() < 0.5]
                take = take[: max(1, (len(sentences) * 2) // 3)][:quota]
            claim_sentences += [(heading, s) for s in take]
            quota -= len(take)
            remaining -= len(take)
    text = "\n".join(lines).rstrip("\n") + "\n"
    # A sentence can still occur inside a longer one by chance: drop those.
    plain = text.replace("**", "")
    unique = [(h, s) for h, s in claim_sentences if plain.count(s) == 1]
    return slug, title, text, plain, unique[:n_claims]


# The repetitive guides' paragraphs: exercise descriptions, doses and FAQs,
# one template each, so that paragraphs of a kind share most of their words.
EXERCISES = (
    "hamstring bridge", "nordic hamstring", "rumænsk dødløft", "hælløft", "sideplanke",
    "etbens squat", "step-up", "udfaldsskridt", "isometrisk knæbøj", "hoftehævning",
    "tåløft", "slider curl", "kettlebell swing", "good morning", "etbens dødløft",
)
POSITIONS = (
    "Lig på ryggen med hælene på en stol", "Stå på ét ben", "Stå med fødderne i hoftebredde",
    "Sid på kanten af en stol", "Lig på maven med strakte ben", "Stå med ryggen mod en væg",
)
ACTIONS = (
    "løft bækkenet langsomt", "bøj knæet til 90 grader", "sænk overkroppen kontrolleret",
    "pres hælen ned i underlaget", "stræk benet helt ud", "løft hælene så højt du kan",
)
DRUGS = ("paracetamol", "ibuprofen", "naproxen", "diclofenac")
ACTIVITIES = ("løbe", "cykle", "svømme", "gå ture", "spille fodbold", "styrketræne",
              "dyrke yoga", "spille tennis")
SECTION_KINDS = ("Øvelser i fase {n}", "Dosering, del {n}", "Ofte stillede spørgsmål, del {n}")


TAILS = (
    "uden at svaje i lænden", "mens du trækker vejret roligt", "så langt smerten tillader det",
    "med blikket rettet frem", "og gerne foran et spejl", "efter en kort opvarmning",
    "på et blødt underlag", "med en elastik om anklerne", "i et roligt tempo",
    "mens en makker holder dine fødder", "med vægten fordelt på hele foden",
    "indtil musklerne føles trætte",
)


def _tail(rng: random.Random) -> str:
    return f" {_pick(rng, TAILS)}" if rng.random() < 0.6 else ""


def _exercise(rng: random.Random, k: int) -> list[str]:
    name = _pick(rng, EXERCISES)
    hold = _pick(rng, ("holder du stillingen i {s} sekunder og slapper af i {r} sekunder",
                       "skal stillingen holdes i {s} sekunder med {r} sekunders pause",
                       "tæller du til {s}, før du slipper og hviler i {r} sekunder"))
    sets = _pick(rng, ("Lav øvelse {k} i {a} sæt af {b} gentagelser {c} gange om ugen",
                       "Gentag øvelse {k} {b} gange i {a} sæt, {c} dage om ugen",
                       "Øvelse {k} laves {c} gange ugentligt med {a} sæt á {b} gentagelser"))
    return [
        f"Øvelse {k} er {name}: {_pick(rng, POSITIONS).lower()} og {_pick(rng, ACTIONS)}"
        f"{_tail(rng)}.",
        f"I øvelse {k} " + hold.format(s=rng.randrange(10, 65, 5), r=rng.randrange(5, 35, 5))
        + f"{_tail(rng)}.",
        sets.format(k=k, a=rng.randint(2, 5), b=rng.randint(6, 15), c=rng.randint(2, 4))
        + f" i {rng.randint(4, 12)} uger{_tail(rng)}.",
    ]


def _dose(rng: random.Random, k: int, condition: str) -> list[str]:
    drug = _pick(rng, DRUGS)
    mg = _pick(rng, (200, 250, 400, 500, 1000))
    first = _pick(rng, ("Ved dosis {k} kan voksne over {a} år tage {mg} mg {drug} op til {t} "
                        "gange dagligt mod smerter ved {c}",
                        "Dosis {k} er {mg} mg {drug} {t} gange om dagen for voksne og unge "
                        "over {a} år med {c}",
                        "Mod {c} giver dosis {k} {t} daglige doser af {mg} mg {drug} til "
                        "alle over {a} år"))
    return [
        first.format(k=k, a=rng.randint(12, 18), mg=mg, drug=drug, t=rng.randint(2, 4),
                     c=condition) + ".",
        f"Efter dosis {k} bør der gå mindst {rng.randint(4, 8)} timer før næste dosis, "
        f"og du må højst tage {mg * rng.randint(3, 4)} mg {drug} i døgnet"
        + _pick(rng, ("", ", heller ikke på dårlige dage", " uden at tale med lægen",
                      ", selv om smerterne er kraftige")) + ".",
        _pick(rng, ("Tal med lægen, hvis dosis {k} ikke har lindret smerterne efter {d} dage",
                    "Virker dosis {k} ikke inden {d} dage, skal du kontakte din læge",
                    "Søg råd på apoteket, hvis du stadig har ondt {d} dage efter dosis {k}"))
        .format(k=k, d=rng.randint(3, 14)) + ".",
    ]


def _faq(rng: random.Random, k: int, condition: str) -> list[str]:
    activity = _pick(rng, ACTIVITIES)
    return [
        _pick(rng, ("Spørgsmål {k} er, om man må {a} med {c}",
                    "I spørgsmål {k} spørger mange, om det er sikkert at {a} med {c}",
                    "Spørgsmål {k} handler om at {a}, når man har {c}"))
        .format(k=k, a=activity, c=condition) + ".",
        f"Svaret på spørgsmål {k} er ja, hvis smerten under træningen højst er "
        f"{rng.randint(2, 5)} på en skala fra 0 til 10{_tail(rng)}.",
        _pick(rng, ("Ifølge svaret på spørgsmål {k} skal smerten også være væk inden {h} timer",
                    "Derudover siger svar {k}, at ømheden skal have lagt sig efter {h} timer",
                    "Som svar {k} nævner, må smerten ikke vare mere end {h} timer"))
        .format(k=k, h=_pick(rng, (12, 24, 48))) + f" efter, at du har været ude at {activity}.",
    ]


def _repetitive_guide(rng: random.Random, number: int, n_claims: int):
    """A long guide of paragraphs that look alike, with the same return as _guide."""
    condition = _pick(rng, CONDITIONS)
    slug = f"guide-{number:04d}"
    title = f"{condition[0].upper()}{condition[1:]}: øvelser, doser og spørgsmål ({number})"
    seen: set[str] = set()
    lead = [_unique_sentence(rng, condition, seen) for _ in range(3)]
    lines = [" ".join(lead), ""]
    claim_sentences: list[tuple[str, str]] = [(title, s) for s in lead[:2]]
    wanted = n_claims + max(5, n_claims // 20)  # spare: the uniqueness check may drop some
    k = section = 0
    while len(claim_sentences) < wanted:
        section += 1
        kind = (section - 1) % len(SECTION_KINDS)
        heading = SECTION_KINDS[kind].format(n=section)
        lines += [f"## {heading}", ""]
        for _ in range(rng.randint(8, 12)):
            k += 1
            if kind == 0 and rng.random() < 0.2:  # an exercise list rather than a paragraph
                items = [f"{_pick(rng, EXERCISES).capitalize()} i øvelse {k}.{i}: "
                         f"{rng.randint(2, 5)} sæt af {rng.randint(6, 15)} gentagelser"
                         for i in range(1, rng.randint(4, 7))]
                lines += [f"Programmet i øvelse {k} består af:", ""]
                lines += [f"- {item}" for item in items] + [""]
                claim_sentences += [(heading, item) for item in items[:-1]]
                continue
            sentences = (_exercise(rng, k) if kind == 0 else _dose(rng, k, condition)
                         if kind == 1 else _faq(rng, k, condition))
            lines += [" ".join(sentences), ""]
            claim_sentences += [(heading, s) for s in sentences[1:]]
    text = "\n".join(lines).rstrip("\n") + "\n"
    plain = text.replace("**", "")
    unique = [(h, s) for h, s in claim_sentences if plain.count(s) == 1]
    return slug, title, text, plain, unique[:n_claims]


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _claims_yaml(rng: random.Random, slug: str, title: str, plain: str, claims, link_counts,
                 pick_source, keys: list[str]) -> str:
    out = [
        f'# Claims of the guide "{title}" (guide.md in this folder).',
        "# Generated by benchmarks/corpus.py: one entry per factual statement, in guide order.",
        "guide:",
        f"  title: {_yaml_text(title)}",
        "  language: da",
        "claims:",
    ]
    current = None
    for number, ((heading, sentence), n_links) in enumerate(zip(claims, link_counts), start=1):
        if heading != current:
            out.append(f"  # --- {heading} ---")
            current = heading
        quote = sentence
        if rng.random() < 0.25:  # a clause rather than the whole sentence
            words = sentence.rstrip(".").split(" ")
            clause = " ".join(words[: len(words) - rng.randint(2, 4)])
            if len(words) > 10 and plain.count(clause) == 1:
                quote = clause
        claim_type = rng.choices(CLAIM_TYPES, TYPE_WEIGHTS)[0]
        out += [f"  - id: {slug}-c{number:03d}", f"    quote: {_yaml_text(quote)}",
                f"    type: {claim_type}"]
        if n_links:
            out.append("    evidence:")
            chosen: list[int] = []
            while len(chosen) < n_links:
                index = pick_source()
                if index not in chosen:
                    chosen.append(index)
            for index in chosen:
                out.append(f"      - source: {keys[index]}")
                roll = rng.random()
                relation = "supports" if roll < 0.85 else "mentions" if roll < 0.93 else "contradicts"
                if relation != "supports" or rng.random() < 0.5:
                    out.append(f"        relation: {relation}")
                if rng.random() < 0.2:
                    out.append("        direct: false")
                if rng.random() < 0.3:
                    locator = _pick(rng, ("p. {n}", "Table {n}", "Figure {n}", "section {n}.1"))
                    out.append(f"        locator: {_yaml_text(locator.format(n=rng.randint(1, 20)))}")
                if rng.random() < 0.15:
                    out.append(f"        note: {_yaml_text('Studied ' + _pick(rng, CONDITIONS) + ', not runners.')}")
        elif rng.random() < 0.6:
            out.append(f"    consensus: {_yaml_text(_pick(rng, CONSENSUS))}")
        roll = rng.random()
        out.append("    review:")
        if roll < 0.6:
            out.append("      status: unreviewed")
        else:
            status = "verified" if roll < 0.9 else "disputed" if roll < 0.95 else "needs-source"
            out += [f"      status: {status}", f"      by: {_pick(rng, REVIEWERS)}",
                    f"      on: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
            if status != "verified":
                out.append(f"      note: {_yaml_text('Check the ' + _pick(rng, NOUNS) + ' again.')}")
    return "\n".join(out) + "\n"


def _link_counts(rng: random.Random, n_claims: int, total: int,
                 link_range: tuple[int, int] | None = None) -> list[int]:
    """Links per claim (0 to 8, or within ``link_range``; mean total/n_claims),
    summing exactly to ``total``."""
    low, high = link_range or (0, 8)
    if link_range is None:
        counts = rng.choices(range(7), (12, 18, 20, 20, 15, 10, 5), k=n_claims)
    else:
        counts = [rng.randint(low, high) for _ in range(n_claims)]
    total = min(max(total, low * n_claims), high * n_claims)
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(n_claims)
        if diff > 0 and counts[i] < high:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > low:
            counts[i] -= 1
            diff += 1
    return counts


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return _pick(rng, ORGANISATIONS)
    family = _pick(rng, LATEX_FAMILIES) if roll < 0.07 else _pick(rng, FAMILIES)
    if " " in family and rng.random() < 0.5:
        particle, last = family.rsplit(" ", 1)
        return f"{_pick(rng, GIVENS)} {particle} {last}"
    return f"{family}, {_pick(rng, GIVENS)}"


def _bib(rng: random.Random, n_sources: int) -> tuple[str, list[str]]:
    designs = [d.code for d in STUDY_DESIGNS]
    weights = [DESIGN_WEIGHTS[d] for d in designs]
    out = [
        "% references.bib of a synthetic corpus (benchmarks/corpus.py).",
        "% Every source the guides cite, one BibTeX entry each.",
        "",
    ]
    out += [f'@string{{{k} = "{v}"}}' for k, v in MACROS.items()]
    out.append("")
    keys: list[str] = []
    used: set[str] = set()
    for number in range(n_sources):
        authors = [_name(rng) for _ in range(rng.choice((1, 2, 3, 3, 4, 4, 5, 6, 8)))]
        if rng.random() < 0.05:
            authors.append("others")
        first = authors[0].split(",")[0].split(" ")[-1].strip("{}\\\"'")
        base = "".join(ch for ch in first.lower() if ch.isascii() and ch.isalpha()) or "anon"
        year = rng.randint(1985, 2025)
        key = f"{base}{year}"
        for suffix in itertools.chain([""], "abcdefghijklmnopqrstuvwxyz", map(str, itertools.count(2))):
            if key + suffix not in used:
                key += suffix
                break
        used.add(key)
        keys.append(key)
        entry_type = rng.choices(("article", "book", "incollection", "misc"), (90, 4, 4, 2))[0]
        words = rng.sample(TITLE_WORDS, k=rng.randint(6, 16))
        title = " ".join(words).capitalize()
        if rng.random() < 0.1:
            title = title.replace(words[1], "{" + words[1].upper() + "}", 1)
        fields = [("author", "{" + " and ".join(authors) + "}"), ("title", "{" + title + "}")]
        if entry_type == "article":
            if rng.random() < 0.05:
                fields.append(("journal", _pick(rng, list(MACROS))))
            else:
                fields.append(("journal", "{" + _pick(rng, JOURNALS) + "}"))
            fields += [("year", f"{{{year}}}"), ("volume", f"{{{rng.randint(1, 60)}}}"),
                       ("number", f"{{{rng.randint(1, 12)}}}")]
            first_page = rng.randint(1, 2000)
            fields.append(("pages", f"{{{first_page}--{first_page + rng.randint(3, 20)}}}"))
        elif entry_type == "incollection":
            fields += [("booktitle", "{Textbook of " + _pick(rng, CONDITIONS) + "}"),
                       ("publisher", "{Munksgaard}"), ("year", f"{{{year}}}")]
        else:
            fields += [("publisher", "{FADL's Forlag}"), ("year", f"{{{year}}}")]
        if rng.random() < 0.93:
            fields.append(("doi", f"{{10.{rng.randint(1000, 99999)}/{base}.{year}.{number:05d}}}"))
        if rng.random() < 0.95:
            fields.append(("studydesign", "{" + rng.choices(designs, weights)[0] + "}"))
        if rng.random() < 0.7:
            fields.append(("metadatasource",
                           f"{{crossref {rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-01}}"))
        else:
            fields.append(("metadatasource", "{manual}"))
        roll = rng.random()
        if roll < 0.01:
            notice = f"10.{rng.randint(1000, 9999)}/retr.{number:05d}"
            date = f"{min(year + 2, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            fields.append(("updates", f"{{retraction {notice} {date} retraction-watch}}"))
        elif roll < 0.025:
            notice = f"10.{rng.randint(1000, 9999)}/corr.{number:05d}"
            date = f"{min(year + 1, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            fields.append(("updates", f"{{correction {notice} {date} publisher}}"))
        if rng.random() < 0.05:
            out.append(f"% {key}: study design set from the abstract; check the full text.")
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        out.append(f"@{entry_type}{{{key},\n{body}\n}}\n")
    return "\n".join(out), keys


def _source_picker(rng: random.Random, n_sources: int):
    """Pick source indexes with a long tail: a few sources are cited very often."""
    cumulative = list(itertools.accumulate(1.0 / (rank + 10) ** 0.9 for rank in range(n_sources)))
    order = list(range(n_sources))
    rng.shuffle(order)
    total = cumulative[-1]

    def pick() -> int:
        return order[bisect.bisect_left(cumulative, rng.random() * total)]

    return pick


def generate(out: Path | str, *, guides: int = 1000, claims: int = 100, sources: int = 20000,
             links_per_claim: float = 2.5, seed: int = 1,
             link_range: tuple[int, int] | None = None, text: str = "prose") -> Corpus:
    """Write the corpus; ``link_range`` and ``text`` as in :class:`Shape`."""
    if text not in ("prose", "repetitive"):
        raise ValueError(f"unknown kind of text {text!r}")
    if link_range is not None and link_range[1] > sources:
        raise ValueError(f"{link_range[1]} links a claim need as many sources")
    out = Path(out)
    rng = random.Random(seed)
    (out / "claims").mkdir(parents=True, exist_ok=True)
    bib, keys = _bib(rng, sources)
    (out / "references.bib").write_text(bib, encoding="utf-8")
    written = len(bib.encode())
    pick_source = _source_picker(rng, sources)
    total_links = round(guides * claims * links_per_claim)
    # Spread the links over the guides exactly, then over each guide's claims.
    per_guide = [total_links // guides + (1 if g < total_links % guides else 0) for g in range(guides)]
    n_claims = n_links = 0
    for number in range(1, guides + 1):
        make = _repetitive_guide if text == "repetitive" else _guide
        slug, title, guide_text, plain, claim_sentences = make(rng, number, claims)
        counts = (_link_counts(rng, len(claim_sentences), per_guide[number - 1], link_range)
                  if claim_sentences else [])
        folder = out / "claims" / slug
        folder.mkdir(exist_ok=True)
        yaml_text = _claims_yaml(rng, slug, title, plain, claim_sentences, counts, pick_source,
                                 keys)
        (folder / "guide.md").write_text(guide_text, encoding="utf-8")
        (folder / "claims.yaml").write_text(yaml_text, encoding="utf-8")
        written += len(guide_text.encode()) + len(yaml_text.encode())
        n_claims += len(claim_sentences)
        n_links += sum(counts)
    return Corpus(guides, n_claims, sources, n_links, written)


def edit_guide(root: Path | str, slug: str, *, seed: int = 2) -> None:
    """An editor's edit of one guide: a sentence added and claimed, a claim retyped.

    The new sentence goes at the end of the last paragraph of guide.md; the
    new claim cites the first source of references.bib; the first claim
    changes its type. Deterministic for a given seed (the next free one when
    the guide was edited with it before).
    """
    folder = Path(root) / "claims" / slug
    claims = (folder / "claims.yaml").read_text(encoding="utf-8")
    while f"- id: {slug}-edited-{seed}\n" in claims:  # edited before with this seed
        seed += 1
    rng = random.Random(seed)
    guide = (folder / "guide.md").read_text(encoding="utf-8")
    seen = set(guide.split(". "))
    sentence = _unique_sentence(rng, "hasetendinopati", seen)
    sentence = sentence[:-1] + f" (redigeret {seed})."
    guide = guide.rstrip("\n") + ("\n\n" if guide.rstrip("\n").endswith(":") else " ") + sentence + "\n"
    (folder / "guide.md").write_text(guide, encoding="utf-8")
    first_type = claims.index("    type: ") + len("    type: ")
    end = claims.index("\n", first_type)
    old = claims[first_type:end]
    claims = claims[:first_type] + ("prognosis" if old != "prognosis" else "symptom") + claims[end:]
    bib = (Path(root) / "references.bib").read_text(encoding="utf-8")
    key = bib[bib.index("@article{") + len("@article{"):].split(",", 1)[0]
    claims += (f"  - id: {slug}-edited-{seed}\n    quote: {_yaml_text(sentence)}\n"
               f"    type: treatment\n    evidence:\n      - source: {key}\n"
               f"    review:\n      status: unreviewed\n")
    (folder / "claims.yaml").write_text(claims, encoding="utf-8")


def shape_arguments(shape: str = DEFAULT_SHAPE, **given) -> dict:
    """generate()'s keyword arguments for a shape, with the ``given`` ones (not
    None) in place of its defaults."""
    chosen = SHAPES[shape]
    arguments = {"guides": chosen.guides, "claims": chosen.claims, "sources": chosen.sources,
                 "links_per_claim": chosen.links_per_claim, "link_range": chosen.link_range,
                 "text": chosen.text}
    arguments.update({k: v for k, v in given.items() if v is not None})
    return arguments


def generate_shape(out: Path | str, shape: str = DEFAULT_SHAPE, **given) -> Corpus:
    """The corpus of a shape (:data:`SHAPES`), sizes given overriding its own."""
    return generate(out, **shape_arguments(shape, **given))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="shapes: " + "; ".join(f"{name}: {s.guides} guides x {s.claims} claims, "
                                      f"{s.sources} sources, {s.what}"
                                      for name, s in SHAPES.items()))
    parser.add_argument("out", type=Path, help="folder to write the project into")
    parser.add_argument("--shape", choices=sorted(SHAPES), default=DEFAULT_SHAPE,
                        help="the corpus's shape, which sets the defaults of the other flags "
                             f"(default {DEFAULT_SHAPE})")
    parser.add_argument("--guides", type=int, help="default: the shape's")
    parser.add_argument("--claims", type=int, help="claims per guide (default: the shape's)")
    parser.add_argument("--sources", type=int, help="default: the shape's")
    parser.add_argument("--links-per-claim", type=float, help="default: the shape's")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = generate_shape(args.out, args.shape, guides=args.guides, claims=args.claims,
                            sources=args.sources, links_per_claim=args.links_per_claim,
                            seed=args.seed)
    print(f"{args.out}: {corpus.guides} guides, {corpus.claims} claims, {corpus.sources} sources, "
          f"{corpus.links} links, {corpus.bytes / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
