"""Recall and precision of `evidence import`'s headings and claim stubs against hand-made ones.

For each text (the seed guide as its authors sent it, and the two texts of
tests/importing/fixtures), the text is imported into a scratch project and
compared with the hand-made guide.md and claims.yaml:

- headings: the share of the hand-made guide's headings the import reproduces
  (same words), and the imported headings the hand-made guide lacks;
- recall: a hand-made claim is covered when stubs hold at least 80% of its words;
- unmatched stubs: a stub matches when at least half of its words lie in the
  quotes of hand-made claims or not_claims entries; the others match neither;
- types: how often a matched stub's guessed type is the hand-made claim's;
- drafted sources: stubs whose drafted citekey (a comment) is a source the
  hand-made claims it overlaps link.

Run: .venv/bin/python benchmarks/stubs.py
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.claims.loader import load_claims  # noqa: E402
from evidence.guide.anchor import Anchor, GuideIndex  # noqa: E402
from evidence.guide.document import load_guide  # noqa: E402
from evidence.importing.run import import_guide  # noqa: E402

FIXTURES = ROOT / "tests" / "importing" / "fixtures"
_WORD = re.compile(r"\w+")


@dataclass
class Case:
    name: str
    source: Path  # the text as it comes in
    expected: Path  # folder with the hand-made guide.md and claims.yaml
    language: str


def seed_text() -> Path | None:
    """The seed guide as its authors sent it: shared/guide/ beside the repository."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "guide" / "distal-hasetendinopati.txt"
        if candidate.exists():
            return candidate
    return None


def cases() -> list[Case]:
    seed = seed_text()
    found = [Case("seed (plain text)", seed, ROOT / "claims" / "distal-hasetendinopati", "da")
             ] if seed else []
    for folder in sorted(FIXTURES.glob("*/")):
        sources = sorted(folder.glob("source.*"))
        expected, _ = load_claims(folder / "claims.yaml")
        if sources and expected is not None:
            found.append(Case(f"{folder.name} ({sources[0].name.split('.', 1)[1]})", sources[0],
                              folder, expected.meta.language))
    return found


def prepared(source: Path, scratch: Path) -> Path:
    """``source.docx.md`` stands for a Word file: pandoc makes the .docx first."""
    if source.name.endswith(".docx.md"):
        import pypandoc

        target = scratch / "source.docx"
        pypandoc.convert_file(str(source), "docx", format="markdown-smart",
                              outputfile=str(target))
        return target
    return source


def headings(path: Path) -> list[str]:
    return [re.sub(r"^#+\s+", "", line).strip()
            for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def word_positions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]


def inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def measure(case: Case) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        project = scratch / "project"
        (project / "claims").mkdir(parents=True)
        references = case.expected / "references.bib"
        if not references.exists():
            references = ROOT / "references.bib"
        shutil.copy(references, project / "references.bib")
        slug = "imported"
        import_guide(project, prepared(case.source, scratch), slug, language=case.language)
        guide_path = project / "claims" / slug / "guide.md"
        guide = load_guide(slug, guide_path)
        stubs_file, _ = load_claims(project / "claims" / slug / "claims.yaml")
        drafted = re.findall(r"quote: (.*)\n(?:    prefix: .*\n)?    type: \S+\n    # Drafted.*\n.*\n.*\n((?:    #   - source: \S+\n)+)",
                             (project / "claims" / slug / "claims.yaml").read_text(encoding="utf-8"))
        expected, _ = load_claims(case.expected / "claims.yaml")
        assert stubs_file is not None and expected is not None
        index = GuideIndex(guide)
        text = guide.text

        mine, theirs = headings(guide_path), headings(case.expected / "guide.md")
        matched_headings = sum(min(mine.count(h), theirs.count(h)) for h in set(theirs))

        hand: list[tuple[tuple[int, int], object]] = []
        unanchored = 0
        for claim in expected.claims:
            found = index.anchor(claim.quote, claim.prefix, claim.suffix)
            if isinstance(found, Anchor):
                hand.append(((found.start, found.end), claim))
            else:
                unanchored += 1
        not_claims = []
        for entry in expected.not_claims:
            found = index.anchor(entry.quote, entry.prefix, entry.suffix)
            if isinstance(found, Anchor):
                not_claims.append((found.start, found.end))
        stub_spans = []
        stub_claims = []
        for stub in stubs_file.claims:
            found = index.anchor(stub.quote, stub.prefix, stub.suffix)
            assert isinstance(found, Anchor), stub.id
            stub_spans.append((found.start, found.end))
            stub_claims.append(stub)

        covered = 0
        for (start, end), _ in hand:
            words = word_positions(text, start, end)
            if words and sum(inside(w, stub_spans) for w in words) >= 0.8 * len(words):
                covered += 1
        hand_spans = [span for span, _ in hand] + not_claims
        unmatched = 0
        types_same = types_compared = 0
        for (start, end), stub in zip(stub_spans, stub_claims, strict=True):
            words = word_positions(text, start, end)
            if sum(inside(w, hand_spans) for w in words) < 0.5 * max(1, len(words)):
                unmatched += 1
                continue
            overlapping = [(min(end, e) - max(start, s), claim) for (s, e), claim in hand
                           if s < end and start < e]
            if overlapping:
                best = max(overlapping, key=lambda item: item[0])[1]
                types_compared += 1
                types_same += best.type == stub.type
        drafted_right = 0
        by_quote = {s.quote: span for s, span in zip(stub_claims, stub_spans, strict=True)}
        for quote, keys_text in drafted:
            import json

            span = by_quote.get(json.loads(quote))
            keys = set(re.findall(r"source: (\S+)", keys_text))
            linked = {link.source for (s, e), claim in hand if span and s < span[1] and span[0] < e
                      for link in claim.evidence}
            drafted_right += bool(keys & linked)
        n_stubs = len(stub_claims)
        return {
            "text": case.name,
            "headings": f"{matched_headings}/{len(theirs)} = {100 * matched_headings / max(1, len(theirs)):.1f}%",
            "extra headings": f"{len(mine) - matched_headings} = {100 * (len(mine) - matched_headings) / max(1, len(theirs)):.1f}%",
            "hand-made claims covered": f"{covered}/{len(expected.claims)} = {100 * covered / max(1, len(expected.claims)):.1f}%"
                                        + (f" ({unanchored} did not anchor in the import)" if unanchored else ""),
            "stubs matching neither": f"{unmatched}/{n_stubs} = {100 * unmatched / max(1, n_stubs):.1f}%",
            "types as hand-made": f"{types_same}/{types_compared} = {100 * types_same / max(1, types_compared):.1f}%",
            "drafted sources a hand-made claim links": f"{drafted_right}/{len(drafted)}",
        }


def main() -> None:
    for case in cases():
        figures = measure(case)
        print(figures.pop("text"))
        for name, value in figures.items():
            print(f"  {name:42} {value}")


if __name__ == "__main__":
    main()
