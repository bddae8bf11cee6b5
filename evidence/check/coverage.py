"""``evidence coverage``: the guide's sentences that look factual but no claim covers.

The guide's paragraphs and list items (not headings, not the references
section) are split into sentences. A sentence *looks factual* when it holds a
number, a dose, a duration, a percentage, a comparison, a verb of effect
("øger", "reducerer", "improves", ...) or a word about evidence ("forskning",
"studie", "evidence", ...). The word lists follow the guide's ``language``;
when the text plainly reads as the other language with word lists (a Danish
guide whose claims.yaml sets no language, so "en"), the text's language is
used and the report says so. A sentence is *covered* when the quote of a
claim, or of a ``not_claims`` entry (a sentence an editor judged not to be a
claim, with a reason), overlaps it and what the quotes leave of it does not
look factual itself ("Bakkeløb: Øger belastningen …, dog primært proksimalt"
with only "dog primært proksimalt" quoted is not covered); an evidence word
left outside the quotes is taken as the attribution of what they quote
("Research shows that" before a quoted "loading works").

The report lists the factual-looking sentences no quote covers, and the
percentage is of factual-looking sentences only: covered ones over all of
them. Sentences a claim covers that do not look factual are counted apart
(they neither raise nor lower the percentage); whether a sentence looks
factual never depends on whether it is covered.

This is a heuristic to help editors find what they missed, not a judge: it
flags candidates, and the editor decides whether each is a claim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from evidence.guide.document import Block, Guide
from evidence.guide.reference_list import reference_list
from evidence.language import (
    DEFAULT_LANGUAGE,
    LEXICONS,
    Lexicon,
    base_language,
    guess_language,
)
from evidence.language import lexicon as lexicon_for
from evidence.project import GuideData, Project

# --- Sentence splitting -------------------------------------------------------

# Words that end with a period without ending a sentence, lower-case, without
# their final period. Shared by all languages: a Danish guide quotes English
# terms and the other way round.
ABBREVIATIONS = frozenset({
    # Danish
    "ca", "fx", "f.eks", "bl.a", "dvs", "evt", "inkl", "ekskl", "osv", "mv", "m.m",
    "sek", "min", "max", "maks", "ift", "mht", "pga", "jf", "vha", "nr", "kap",
    "pkt", "stk", "tlf", "hhv", "iflg", "ang", "vedr", "kl", "gr", "mdr", "dr",
    "prof", "st", "cand", "fys", "ph.d",
    # English
    "e.g", "i.e", "etc", "vs", "approx", "fig", "figs", "al", "cf", "no", "vol",
    "pp", "p", "ed", "eds", "mr", "mrs", "ms", "jr", "sr", "sec", "hr", "hrs", "wk",
    "wks", "mo", "yr", "yrs", "resp", "incl", "excl", "dept", "univ",
})

_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_SENTENCE_END = re.compile(r"[.!?…]+")
_WORD_BEFORE = re.compile(r"([^\s(\[\"'“‘«]+)$")


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the text that was split
    end: int


def _is_boundary(text: str, end: int, next_start: int) -> bool:
    """Whether the punctuation ending at ``end`` closes a sentence."""
    if next_start >= len(text):
        return True
    following = text[next_start]
    if following in _OPENERS and next_start + 1 < len(text):
        following = text[next_start + 1]
    if not (following.isupper() or following.isdigit()):
        return False
    # The punctuation run before any closing quotes/brackets.
    close = end
    while close > 0 and text[close - 1] in _CLOSERS:
        close -= 1
    if close == 0 or text[close - 1] != ".":
        return True  # ! ? … always end a sentence before a capital
    word = _WORD_BEFORE.search(text[: close - 1])
    if not word:
        return True
    token = word.group(1).lower()
    if token in ABBREVIATIONS:
        return False
    # A single letter before the period: an initial ("M. Sederberg") or part
    # of an abbreviation ("f. eks.").
    return not (len(token) == 1 and token.isalpha())


def split_sentences(text: str) -> list[Span]:
    """Split a paragraph or list item into sentences, as spans of ``text``.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or
    brackets) followed by white space and a capital letter, a digit or an
    opening quote, unless the period ends an abbreviation ("ca.", "fx.",
    "sek.", "e.g.", "vs.") or an initial. Decimal numbers ("1,6", "1.6") and
    colons never end a sentence.
    """
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        if end < len(text) and not text[end].isspace():
            continue  # "1.6", "f.eks", "osv.)" inside a sentence
        next_start = end
        while next_start < len(text) and text[next_start].isspace():
            next_start += 1
        if _is_boundary(text, end, next_start):
            if text[start:end].strip():
                spans.append(_trimmed(text, start, end))
            start = next_start
    if text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


# --- What looks factual -------------------------------------------------------


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?\+?")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?\s*%|\bpro(?:cent|mille)\b"
                      r"|\bper ?cent\b")
_TIMES = re.compile(r"\d\s*[x×]\s*\d")

def text_lexicon(declared: str | None, text: str) -> tuple[Lexicon, str | None]:
    """The word lists for a guide, and a note when they are not the declared language's.

    A declared language with word lists of its own (or none, read as "en") gives way to
    the language the text plainly reads as; a language without word lists keeps the
    English fallback."""
    lexicon = lexicon_for(declared)
    if base_language(declared) not in LEXICONS:
        return lexicon, None
    guessed = guess_language(text)
    if guessed is None or guessed == lexicon.language:
        return lexicon, None
    return LEXICONS[guessed], (
        f"claims.yaml gives language {declared or DEFAULT_LANGUAGE!r} (English when none is "
        f"set), but the guide reads as {guessed!r}: its word lists were used; set "
        f"`guide: language: {guessed}` in claims.yaml")


def _first(pattern: str | re.Pattern, text: str) -> str | None:
    match = re.search(pattern, text, flags=re.IGNORECASE) if isinstance(pattern, str) \
        else pattern.search(text)
    return match.group(0) if match else None


def factual_reasons(sentence: str, language: str | Lexicon | None) -> list[str]:
    """Why a sentence looks factual, one short reason per kind; empty if it does not."""
    lexicon = language if isinstance(language, Lexicon) else lexicon_for(language)
    reasons = []
    if found := _first(_PERCENT, sentence):
        reasons.append(f"percentage '{found.strip()}'")
    if (found := _first(_TIMES, sentence)) or (found := _first(lexicon.dose, sentence)):
        reasons.append(f"dose '{found}'")
    if found := _first(lexicon.duration, sentence):
        reasons.append(f"duration '{found}'")
    if not reasons and (found := _first(_NUMBER, sentence)):
        reasons.append(f"number '{found.strip()}'")
    if found := _first(lexicon.number_words, sentence):
        reasons.append(f"number '{found}'")
    if found := _first(lexicon.comparison, sentence):
        reasons.append(f"comparison '{found}'")
    if found := _first(lexicon.effect, sentence):
        reasons.append(f"effect '{found}'")
    if found := _first(lexicon.evidence, sentence):
        reasons.append(f"evidence word '{found}'")
    if found := _first(lexicon.advice, sentence):
        reasons.append(f"advice '{found}'")
    return reasons


# --- What is a claim ----------------------------------------------------------

# Sentences that are not claims, whatever words they hold (docs/import.md).
NOT_CLAIM_KINDS = ("question", "quotation", "outline", "about the authors", "lead-in",
                   "instruction", "fragment")
_QUESTION = re.compile(r"\?[\"'”’»)\]]*$")
_QUOTATION = re.compile(r"^(?:[^:\"“„«]{1,40}:\s*)?[\"“„«][^\"“”„«»]*[\"”»]\.?$")
_LABEL = re.compile(r"^[^:.!?]{1,40}:\s+")
_PARENTHESES = re.compile(r"\([^)]*\)")
_SETS_REPS = re.compile(r"\d\s*(?:sæt|sets?|x|×)\s|\b(?:reps|gentagelser|repetitions)\b",
                        re.IGNORECASE)
_ANGLE = re.compile(r"(?:grader|degrees?|°)'$")
_AMOUNTS = ("percentage", "dose", "duration", "number")


@dataclass(frozen=True)
class Verdict:
    """What a sentence is: a claim (``statement``, ``advice``, ``dose``, ``attribution``)
    or one of :data:`NOT_CLAIM_KINDS`; with the words that decided it."""

    kind: str
    reasons: tuple[str, ...] = ()

    @property
    def claim(self) -> bool:
        return self.kind not in NOT_CLAIM_KINDS

    def why(self) -> list[str]:
        return list(self.reasons) or [self.kind]


def _starts_with(pattern: str, text: str) -> bool:
    body = _LABEL.sub("", text, count=1)
    return re.match(rf"(?:{pattern})\b", body, flags=re.IGNORECASE) is not None


def classify(sentence: str, language: str | Lexicon | None, *,
             instructions: bool = False, lead_in: bool | None = None) -> Verdict:
    """Whether a sentence of a paragraph or list item is a claim, and of what kind.

    Not claims: questions; a single word ("Nej."); quoted thoughts or speech ("Katastrofetænkning: "Mit knæ er
    ødelagt""); sentences about the guide itself (an outline) or about its authors
    (first person plural near the start, with no evidence word); lead-ins ending with
    ':' that say nothing of their own (no dose, comparison, effect, evidence or advice
    word: the items after them are the claims); instructions for performing an
    exercise (``instructions``: the list after "Sådan gør du:", a paragraph that
    prescribes sets and repetitions, a section holding such a list; or a sentence
    opening with a verb of body position or movement) unless they give an amount
    (a knee angle is how to do it, not a dose). Everything else is a claim: a
    statement of fact, advice, a dose, a duration, a prognosis, an attribution.
    ``lead_in``: whether the sentence ends a lead-in (default: it ends with ':').
    """
    lexicon = language if isinstance(language, Lexicon) else lexicon_for(language)
    text = sentence.strip()
    reasons = tuple(factual_reasons(text, lexicon))
    if _QUESTION.search(text):
        return Verdict("question")
    if len(text.split()) < 2:
        return Verdict("fragment")  # "Nej.", "Yes.": an answer that the next sentence gives
    if _QUOTATION.match(text):
        return Verdict("quotation")
    if re.search(lexicon.outline, text, flags=re.IGNORECASE):
        return Verdict("outline")
    has_evidence = any(r.startswith("evidence word") for r in reasons)
    opening = " ".join(_PARENTHESES.sub(" ", text).split()[:4])
    if re.search(lexicon.first_person, opening, flags=re.IGNORECASE) and not has_evidence:
        return Verdict("about the authors")
    amounts = tuple(r for r in reasons if r.startswith(_AMOUNTS) and not _ANGLE.search(r))
    if instructions or _starts_with(lexicon.exercise_verbs, text):
        if amounts:
            return Verdict("dose", amounts)
        said = tuple(r for r in reasons if r.startswith(("effect", "comparison", "evidence")))
        return Verdict("statement", said) if said and instructions else Verdict("instruction")
    if lead_in if lead_in is not None else text.endswith(":"):
        said = tuple(r for r in reasons if not r.startswith("number"))
        if not said:
            return Verdict("lead-in")
    if amounts:
        return Verdict("dose", reasons)
    if has_evidence:
        return Verdict("attribution", reasons)
    if any(r.startswith("advice") for r in reasons):
        return Verdict("advice", reasons)
    return Verdict("statement", reasons)


@dataclass
class GuideSentence:
    """A sentence of a paragraph or list item, with its offsets in guide.md."""

    block: Block
    start: int
    end: int
    text: str  # whitespace collapsed
    verdict: Verdict

    @property
    def section(self) -> str:
        return self.block.section.heading if self.block.section else ""


def guide_sentences(guide: Guide, lexicon: Lexicon) -> list[GuideSentence]:
    """Every sentence of the guide's paragraphs and list items (not its headings, not
    its reference list), each classified with the context it stands in."""
    sentences: list[GuideSentence] = []
    lead_in_pattern = re.compile(lexicon.instruction_lead_ins, re.IGNORECASE)
    exercise_sections = {
        id(block.section) for block in _text_blocks(guide)
        if block.kind == "paragraph" and lead_in_pattern.match(" ".join(block.text.split()))}
    previous_paragraph: Block | None = None
    for block in _text_blocks(guide):
        text = " ".join(block.text.split())
        if block.kind == "paragraph":
            previous_paragraph = block
        in_section = id(block.section) in exercise_sections
        if block.kind == "item":
            lead = previous_paragraph.text if previous_paragraph is not None else ""
            instructions = (previous_paragraph is not None
                            and previous_paragraph.section is block.section
                            and bool(lead_in_pattern.match(" ".join(lead.split()))))
        else:
            instructions = in_section or bool(_SETS_REPS.search(text))
        spans = split_sentences(block.text)
        for position, span in enumerate(spans):
            words = " ".join(block.text[span.start:span.end].split())
            # In a block of instructions, a first sentence that names the exercise
            # ("Romanian deadlift (bilateral): Let vægt, fokus på kontrol.") is one too.
            follows_instruction = (block.kind == "paragraph" and position > 0
                                   and bool(sentences) and sentences[-1].block is block
                                   and sentences[-1].verdict.kind == "instruction")
            verdict = classify(words, lexicon,
                               instructions=instructions or follows_instruction)
            sentences.append(GuideSentence(block, block.start + span.start,
                                           block.start + span.end, words, verdict))
    return sentences


# --- The report ---------------------------------------------------------------

@dataclass
class Sentence:
    section: str
    line: int
    start: int  # offsets into guide.md
    end: int
    text: str
    reasons: list[str]
    covered_by: list[str] = field(default_factory=list)  # claim ids, or "not_claims"
    # quotes that overlap the sentence but leave a factual-looking part of it uncovered
    partly_covered_by: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass
class CoverageReport:
    guide: str
    title: str
    language: str
    sentences: list[Sentence]  # every factual-looking sentence, in guide order
    problems: list[str] = field(default_factory=list)  # quotes that did not anchor
    # sentences a claim or not_claims entry covers that do not look factual (not counted)
    covered_not_factual: int = 0
    lexicon: str = DEFAULT_LANGUAGE  # the word lists used
    language_note: str | None = None  # why they are not the declared language's

    @property
    def factual(self) -> int:
        return len(self.sentences)

    @property
    def covered(self) -> int:
        return sum(1 for s in self.sentences if s.covered)

    @property
    def uncovered(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.covered]

    @property
    def percent(self) -> float:
        if not self.sentences:
            return 100.0
        return 100.0 * self.covered / self.factual

    def to_dict(self) -> dict:
        return {
            "guide": self.guide,
            "title": self.title,
            "language": self.language,
            "lexicon": self.lexicon,
            "language_note": self.language_note,
            "factual_sentences": self.factual,
            "covered": self.covered,
            "uncovered_count": len(self.uncovered),
            "percent": round(self.percent, 1),
            "covered_not_factual": self.covered_not_factual,
            "uncovered": [
                {k: v for k, v in asdict(s).items() if k != "covered_by"}
                for s in self.uncovered
            ],
            "problems": self.problems,
        }


def _text_blocks(guide: Guide) -> Iterable[Block]:
    """Paragraphs and list items, outside the printed reference list."""
    found = reference_list(guide)
    for block in guide.blocks:
        if found is not None and found.start <= block.start < found.end:
            continue
        if block.kind in ("paragraph", "item"):
            yield block


def guide_coverage(data: GuideData, problems: Iterable[str] = ()) -> CoverageReport:
    """The factual-looking sentences of one guide and what covers each."""
    guide = data.guide
    spans = [(a.start, a.end, claim_id) for claim_id, a in data.anchors.items()]
    spans += [(a.start, a.end, "not_claims") for _, a in data.not_claim_anchors]
    blocks = list(_text_blocks(guide))
    lexicon, note = text_lexicon(data.language, "\n".join(b.text for b in blocks))
    sentences = []
    covered_not_factual = 0
    for sentence in guide_sentences(guide, lexicon):
        block, text, start, end = sentence.block, sentence.text, sentence.start, sentence.end
        overlapping = [(s, e, name) for s, e, name in spans if s < end and start < e]
        covered_by = sorted({name for _, _, name in overlapping})
        if not sentence.verdict.claim:
            covered_not_factual += bool(covered_by)
            continue
        reasons = sentence.verdict.why()
        partly: list[str] = []
        if covered_by:
            # What the quotes leave of the sentence must not look factual itself. An
            # evidence word left out is the quote's attribution ("Research shows
            # that ..."), not a statement of its own.
            rest = [r for piece in _outside(block.text, block.start, start, end, overlapping)
                    for r in factual_reasons(piece, lexicon)
                    if not r.startswith("evidence word")]
            if rest:
                partly, covered_by = covered_by, []
                reasons = [f"outside the quotes: {r}" for r in dict.fromkeys(rest)]
        sentences.append(Sentence(
            section=block.section.heading if block.section else "",
            line=guide.line_of(start), start=start, end=end, text=text,
            reasons=reasons, covered_by=covered_by, partly_covered_by=partly,
        ))
    return CoverageReport(data.id, data.title, data.language, sentences, list(problems),
                          covered_not_factual, lexicon.language, note)


def _outside(text: str, offset: int, start: int, end: int,
             spans: list[tuple[int, int, str]]) -> list[str]:
    """The pieces of text[start:end] (offsets into guide.md; ``text`` begins at ``offset``)
    that no span covers, in order."""
    pieces, position = [], start
    for s, e, _ in sorted(spans):
        if s > position:
            pieces.append(text[position - offset:min(s, end) - offset])
        position = max(position, e)
        if position >= end:
            break
    if position < end:
        pieces.append(text[position - offset:end - offset])
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


def project_coverage(project: Project, guide_id: str | None = None) -> list[CoverageReport]:
    """Coverage of one guide (by id) or of every guide of the project."""
    guides = [project.guide(guide_id)] if guide_id else project.guides
    reports = []
    for data in guides:
        path = Path(data.claims_file.path).resolve()
        problems = [str(p) for p in project.problems
                    if p.path is not None and Path(p.path).resolve() == path]
        reports.append(guide_coverage(data, problems))
    return reports


# --- Output -------------------------------------------------------------------


def reports_json(reports: list[CoverageReport]) -> str:
    payload = [r.to_dict() for r in reports]
    return json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False,
                      indent=2)


def print_reports(reports: list[CoverageReport], console) -> None:
    """Rich tables of the uncovered factual-looking sentences, with the coverage figure.

    The summary line is never wrapped (a pipe or a file gets it on one line)."""
    from rich.markup import escape
    from rich.table import Table

    for report in reports:
        if report.uncovered:
            table = Table(title=f"{escape(report.title)}: factual-looking sentences no claim "
                                "covers",
                          show_lines=True, expand=True)
            table.add_column("Line", justify="right", no_wrap=True)
            table.add_column("Section", ratio=1)
            table.add_column("Sentence", ratio=3)
            table.add_column("Looks factual because", ratio=1)
            for s in report.uncovered:
                why = "; ".join(s.reasons)
                if s.partly_covered_by:
                    why += f" (partly covered by {', '.join(s.partly_covered_by)})"
                table.add_row(str(s.line), escape(s.section), escape(s.text), escape(why))
            console.print(table)
        for problem in [*report.problems, *filter(None, [report.language_note])]:
            console.print(f"[yellow]warning:[/yellow] {escape(problem)}", soft_wrap=True)
        style = "green" if not report.uncovered else "yellow"
        other = report.covered_not_factual
        console.print(
            f"[{style}]{escape(report.guide)}: {report.covered} of {report.factual} "
            f"factual-looking sentences covered ({report.percent:.1f}%)[/{style}]"
            + ("" if report.uncovered else "; every one is a claim or a listed non-claim")
            + (f"; {other} more sentence{'s' if other != 1 else ''} covered that "
               f"{'do' if other != 1 else 'does'} not look factual, not counted" if other else "")
            + ".",
            soft_wrap=True,
        )
