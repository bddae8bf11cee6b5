"""The check's near-repeated paragraphs: the set-similarity join against the old difflib finder.

    .venv/bin/python benchmarks/bench_repeats.py [--sizes 500,1000,2000] [--old-up-to 2000]
                                                 [--repeat 3] [--json FILE]

Times ``evidence.check.text.repeated_paragraphs`` (prefix filtering, then
rapidfuzz on the candidates: evidence/check/repeats.py) and the finder it
replaced (difflib on every earlier paragraph within the length band 0.8-1.25
that shares 60 % of its words), kept below as ``old_repeated_paragraphs``, on
already parsed guides, in CPU seconds (the best of ``--repeat`` runs for the
new finder, one run of the old):

- long guides with repetitive paragraphs, as exercise lists, doses and FAQs
  make them, at each size in ``--sizes`` (paragraphs), generated here so the
  cost's growth with a guide's length shows: "templated" (one frame per kind,
  a few words changed: most paragraphs come out 90 % alike) and "varied"
  (several frames per kind and a sentence of prose: alike, seldom 90 %); both
  with some real near and exact repeats;
- ordinary guides of benchmarks/corpus.py: 300 guides x 60 claims, and
  20 guides x 480 claims (the shape whose paragraphs look alike).

The two rules differ on purpose (difflib's ratio became rapidfuzz's Indel
similarity, never lower), so the new finder may name more paragraphs; the
script checks that every paragraph the old one named is named by the new
one, and prints both counts. Prints figures; asserts nothing else.
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # read only: its vocabulary of Danish health prose, and generate()

from evidence.check.text import REPEAT_MIN_WORDS, REPEAT_RATIO, _comparable_words
from evidence.guide.document import Block, Guide, parse_guide


def old_repeated_paragraphs(guide: Guide) -> list[tuple[Block, Block, bool]]:
    """The finder before the join (evidence/check/text.py at 959f0de), as it was."""
    found = []
    seen: dict[str, Block] = {}
    earlier: list[tuple[str, frozenset, Block]] = []
    by_length: list[tuple[int, int]] = []  # (length, index in earlier), sorted
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for block in guide.blocks:
        if block.kind != "paragraph":
            continue
        words = _comparable_words(block.text)
        if len(words) < REPEAT_MIN_WORDS:
            continue
        text = " ".join(words)
        if text in seen:
            found.append((block, seen[text], True))
            continue
        vocabulary = frozenset(words)
        size = len(text)
        lo = bisect.bisect_left(by_length, (int(size / 1.25) - 1, -1))
        hi = bisect.bisect_right(by_length, (int(size / 0.8) + 2, len(earlier)))
        candidates = sorted(index for _, index in by_length[lo:hi])
        learnt = False
        for index in candidates:
            other_text, other_words, other = earlier[index]
            if not 0.8 <= size / len(other_text) <= 1.25:
                continue
            if len(vocabulary & other_words) < 0.6 * max(len(vocabulary), len(other_words)):
                continue
            if not learnt:
                matcher.set_seq2(text)
                learnt = True
            matcher.set_seq1(other_text)
            if (matcher.real_quick_ratio() >= REPEAT_RATIO
                    and matcher.quick_ratio() >= REPEAT_RATIO
                    and matcher.ratio() >= REPEAT_RATIO):
                found.append((block, other, False))
                break
        seen[text] = block
        bisect.insort(by_length, (size, len(earlier)))
        earlier.append((text, vocabulary, block))
    return found


# --- A long guide with repetitive paragraphs --------------------------------

EXERCISES = [f"{kind} {base}" for kind in ("Isometrisk", "Excentrisk", "Langsom", "Enbens", "Tung")
             for base in ("hamstring bridge", "dødløft", "tåhævning", "squat", "udfaldsskridt",
                          "planke", "hoftehævning", "knæbøjning")]
STARTS = ("Lig på ryggen med hælene på en stol", "Stå på ét ben med let bøjet knæ",
          "Stå med fødderne i hoftebredde", "Sid på en bænk med ret ryg",
          "Lig på maven med en pude under hoften", "Stå med ryggen mod en væg",
          "Stå på et trin med hælene ud over kanten", "Lig på siden med underarmen i gulvet")
MOVES = ("løft hoften langsomt", "sænk kroppen kontrolleret", "pres hælen ned i underlaget",
         "bøj knæet til 90 grader", "stræk benet helt ud", "hæv dig op på tæerne",
         "skub knæet frem over tæerne", "spænd baglåret uden at bevæge benet")
FREQUENCIES = ("hver dag", "tre gange om ugen", "hver anden dag", "to gange dagligt",
               "fire gange om ugen")
PROGRESSIONS = ("Øg belastningen med 2 kg, når det føles let",
                "Gør øvelsen på ét ben, når du kan tre sæt uden smerte",
                "Smerten må gerne være op til 3 på en skala fra 0 til 10",
                "Hold en pause på to minutter mellem sættene",
                "Stop og kontakt din fysioterapeut, hvis smerten stiger dagen efter",
                "Tag en rygsæk med vægt på, når øvelsen bliver for let")
DRUGS = ("Paracetamol", "Ibuprofen", "Naproxen", "Diclofenac gel", "Acetylsalicylsyre")
CONDITIONS = ("får mavesmerter", "har nedsat nyrefunktion", "er gravid", "tager blodfortyndende",
              "har astma", "er over 65 år", "har haft mavesår")
ACTIVITIES = ("løbe", "cykle", "svømme", "gå ture", "spille fodbold", "dyrke yoga", "styrketræne",
              "gå på trapper", "spille tennis", "ro", "danse", "vandre i bjergene")
EXTRAS = ("Start roligt og øg varigheden lidt hver uge.", "Undgå bakker de første uger.",
          "Varm godt op i forvejen.", "Skift til en blødere overflade, hvis det gør ondt.",
          "Hold en hviledag mellem hver gang.", "")


def _exercise(rng: random.Random, number: int) -> str:
    return (f"{rng.choice(EXERCISES)}: {rng.choice(STARTS)}, og {rng.choice(MOVES)}. "
            f"Hold stillingen i {rng.randrange(10, 65, 5)} sekunder, og gentag "
            f"{rng.randint(5, 15)} gange i {rng.randint(2, 5)} sæt {rng.choice(FREQUENCIES)}. "
            f"{rng.choice(PROGRESSIONS)}.")


def _dose(rng: random.Random, number: int) -> str:
    mg = rng.choice((200, 250, 400, 500, 1000))
    return (f"{rng.choice(DRUGS)} {mg} mg: tag {rng.randint(1, 2)} tablet(ter) "
            f"{rng.randint(2, 4)} gange dagligt i højst {rng.randint(3, 14)} dage. Tag højst "
            f"{mg * rng.randint(3, 8)} mg i døgnet, og tal med lægen, hvis du "
            f"{rng.choice(CONDITIONS)}.")


def _faq(rng: random.Random, number: int) -> str:
    activity = rng.choice(ACTIVITIES)
    return (f"Må jeg {activity}, når senen gør ondt? Ja, så længe smerten under og efter "
            f"træningen holder sig under {rng.randint(2, 5)} på en skala fra 0 til 10 og er "
            f"væk igen næste morgen. {rng.choice(EXTRAS)}").rstrip()


def _prose(rng: random.Random, number: int) -> str:
    sentences = []
    for _ in range(rng.randint(2, 4)):
        words = [rng.choice(corpus.NOUNS), rng.choice(corpus.VERBS), rng.choice(corpus.NOUNS),
                 rng.choice(corpus.FILLERS), rng.choice(corpus.CONNECTORS),
                 rng.choice(corpus.NOUNS), rng.choice(corpus.VERBS), rng.choice(corpus.NOUNS)]
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    return " ".join(sentences)


def _varied(rng: random.Random, number: int) -> str:
    """A paragraph of the same kinds in one of several frames, with a sentence of prose:
    alike, but rarely 90 % alike."""
    kind = rng.random()
    if kind < 0.45:
        frame = rng.randrange(3)
        name, start, move = rng.choice(EXERCISES), rng.choice(STARTS), rng.choice(MOVES)
        if frame == 0:
            text = (f"{name}: {start}, og {move}. Hold {rng.randrange(10, 65, 5)} sekunder "
                    f"og gentag {rng.randint(5, 15)} gange.")
        elif frame == 1:
            text = (f"Øvelse {number}, {name.lower()}. Udgangsstilling: {start.lower()}. "
                    f"Bevægelse: {move}. {rng.randint(2, 5)} sæt à {rng.randint(5, 15)}, "
                    f"{rng.choice(FREQUENCIES)}.")
        else:
            text = (f"Når {rng.choice(corpus.NOUNS)} tillader det, så prøv {name.lower()}: "
                    f"{start.lower()} og {move}, {rng.choice(FREQUENCIES)}. "
                    f"{rng.choice(PROGRESSIONS)}.")
    elif kind < 0.7:
        drug, mg = rng.choice(DRUGS), rng.choice((200, 250, 400, 500, 1000))
        text = rng.choice((
            f"{drug} {mg} mg kan tages {rng.randint(2, 4)} gange dagligt i op til "
            f"{rng.randint(3, 14)} dage, hvis smerten forstyrrer søvnen.",
            f"Dosis af {drug.lower()}: højst {mg * rng.randint(3, 8)} mg i døgnet. Tal med "
            f"lægen, hvis du {rng.choice(CONDITIONS)}.",
            f"Vi anbefaler ikke {drug.lower()} i mere end {rng.randint(3, 14)} dage ad gangen, "
            f"og slet ikke hvis du {rng.choice(CONDITIONS)}.",
        ))
    else:
        activity = rng.choice(ACTIVITIES)
        text = rng.choice((
            f"Må jeg {activity}? Ja, så længe smerten holder sig under {rng.randint(2, 5)} "
            f"på en skala fra 0 til 10.",
            f"Hvornår kan jeg {activity} igen? Typisk efter {rng.randint(2, 12)} uger, "
            f"når du kan gå på trapper uden smerte.",
            f"Skal jeg holde helt op med at {activity}? Nej, men skær ned, hvis smerten "
            f"varer til næste morgen.",
        ))
    return text + " " + _prose(rng, number).split(". ")[0].rstrip(".") + "."


def _small_edit(rng: random.Random, text: str) -> str:
    """A near repeat: a word or a letter changed, as copying and editing leaves them."""
    words = text.split(" ")
    at = rng.randrange(len(words))
    if rng.random() < 0.5:
        words[at] = words[at] + rng.choice("enrt")
    else:
        words[at] = rng.choice(("også", "dog", "altid", "ikke", "kun"))
    return " ".join(words)


def repetitive_guide(paragraphs: int, seed: int = 1, *, varied: bool = False) -> str:
    """A guide of ``paragraphs`` paragraphs under headings every 20 paragraphs.

    Templated: exercises, doses and FAQs each from one frame, a few words
    changed (many are 90 % alike). Varied: several frames each, with a
    sentence of prose (alike, rarely 90 % alike). Both: 3 % exact repeats and
    5 % copies with one word changed."""
    rng = random.Random(seed)
    kinds = ((_varied, 85), (_prose, 15)) if varied else (
        (_exercise, 40), (_dose, 20), (_faq, 20), (_prose, 15))
    makers = [maker for maker, weight in kinds for _ in range(weight)]
    written: list[str] = []
    lines = ["# Genoptræning af senen: øvelser, doser og spørgsmål", ""]
    for number in range(paragraphs):
        if number % 20 == 0:
            lines += [f"## Fase {number // 20 + 1}", ""]
        roll = rng.random()
        if written and roll < 0.03:
            text = rng.choice(written)  # an exact repeat
        elif written and roll < 0.08:
            text = _small_edit(rng, rng.choice(written))  # a near repeat
        else:
            text = rng.choice(makers)(rng, number)
        written.append(text)
        lines += [text, ""]
    return "\n".join(lines)


def corpus_guides(guides: int, claims: int) -> list[Guide]:
    with tempfile.TemporaryDirectory() as tmp:
        corpus.generate(tmp, guides=guides, claims=claims, sources=300)
        return [parse_guide(path.parent.name, path.read_text(encoding="utf-8"))
                for path in sorted(Path(tmp).glob("claims/*/guide.md"))]


# --- Measuring ---------------------------------------------------------------

def _best(function, guides: list[Guide], repeat: int) -> tuple[float, list]:
    times, found = [], []
    for _ in range(repeat):
        started = time.process_time()  # CPU: the machine's cores are shared
        found = [function(guide) for guide in guides]
        times.append(time.process_time() - started)
    return min(times), found


def _named(found: list) -> set[tuple[int, int]]:
    return {(g, block.line) for g, findings in enumerate(found) for block, _, _ in findings}


def measure(name: str, guides: list[Guide], *, repeat: int, old: bool) -> dict:
    from evidence.check.text import repeated_paragraphs

    paragraphs = sum(1 for guide in guides for b in guide.blocks if b.kind == "paragraph")
    new_s, new_found = _best(repeated_paragraphs, guides, repeat)
    row: dict = {"shape": name, "guides": len(guides), "paragraphs": paragraphs,
                 "new_seconds": round(new_s, 4), "new_findings": sum(map(len, new_found))}
    if old:
        old_s, old_found = _best(old_repeated_paragraphs, guides, 1)
        row |= {"old_seconds": round(old_s, 4), "old_findings": sum(map(len, old_found)),
                "ratio": round(old_s / new_s, 1),
                # The new rule is never stricter: what the old finder named, the new names.
                "old_named_kept": _named(old_found) <= _named(new_found)}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000",
                        help="paragraphs of the repetitive guides (comma-separated)")
    parser.add_argument("--old-up-to", type=int, default=2000,
                        help="time the old finder on repetitive guides up to this size only")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the new finder (best kept)")
    parser.add_argument("--no-corpus", action="store_true", help="skip corpus.py's guides")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    rows = []
    for varied in (False, True):
        for size in (int(s) for s in args.sizes.split(",")):
            guide = parse_guide("repetitive", repetitive_guide(size, varied=varied))
            rows.append(measure(f"{'varied' if varied else 'templated'}, {size} paragraphs",
                                [guide], repeat=args.repeat, old=size <= args.old_up_to))
            _print(rows[-1])
    if not args.no_corpus:
        for guides, claims in ((300, 60), (20, 480)):
            rows.append(measure(f"corpus.py {guides} x {claims}", corpus_guides(guides, claims),
                                repeat=args.repeat, old=True))
            _print(rows[-1])
    for shape in ("templated", "varied"):
        growth = [r for r in rows if r["shape"].startswith(shape)]
        first = growth[0]
        for row in growth[1:]:
            print(f"{shape} growth {first['paragraphs']} -> {row['paragraphs']} paragraphs "
                  f"(x{row['paragraphs'] / first['paragraphs']:.1f}): new "
                  f"x{row['new_seconds'] / first['new_seconds']:.1f}"
                  + (f", old x{row['old_seconds'] / first['old_seconds']:.1f}"
                     if "old_seconds" in row and "old_seconds" in first else ""))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(row: dict) -> None:
    line = (f"{row['shape']:<32} {row['paragraphs']:>6} paragraphs  new {row['new_seconds']:8.3f} s"
            f" ({row['new_findings']} findings)")
    if "old_seconds" in row:
        line += (f"  old {row['old_seconds']:8.3f} s ({row['old_findings']} findings)"
                 f"  old/new {row['ratio']:>6.1f}x  old's named kept: {row['old_named_kept']}")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
