"""Hypothesis strategies for claims.yaml files as editors write them.

Comments everywhere (above the file, between claims, at the end of lines,
inside and after review blocks), blank lines, every quoting style, claims
with and without evidence and reviews, keys in varying order, and the two
common list layouts (``  - id:`` and ``- id:`` at the margin).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from evidence.claims.loader import CLAIM_TYPES, REVIEW_STATUSES

WORDS = ["Løbere", "får", "ondt", "i", "knæet", "Ærø", "sene", "30-45", "sekunder", "øvelse",
         "på", "hasen", "belastning", "(ca.", "15%)", "og", "3-5", "gange", "dagligt"]
COMMENT_TEXT = st.text(alphabet="abcdefghij æøå-:#'\"!?.,0123456789", max_size=25)


@dataclass
class GenClaims:
    text: str
    ids: list[str]
    comments: list[str]  # every comment, in file order


@st.composite
def phrases(draw) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)))


@st.composite
def scalars(draw, text: str) -> str:
    """``text`` written as a YAML scalar, in one of the styles editors use."""
    style = draw(st.sampled_from(["plain", "double", "single"]))
    if style == "plain" and not any(c in text for c in ":#'\"%[]{},&*!|>@`") \
            and not text[0].isdigit() and text.strip() == text:
        return text
    if style == "single" or '"' in text:
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def claims_files(draw, max_claims: int = 6) -> GenClaims:
    comments: list[str] = []  # as drawn; put in file order at the end
    lines: list[str] = []
    offset = draw(st.sampled_from(["  ", ""]))  # where the dash of a claim stands
    body = offset + "  "  # a claim's keys

    def comment(indent: str) -> str:
        text = "# " + draw(COMMENT_TEXT)
        comments.append(text)
        return indent + text

    def eol() -> str:
        if draw(st.integers(0, 3)) == 0:
            text = "# " + draw(COMMENT_TEXT)
            comments.append(text)
            return "  " + text
        return ""

    if draw(st.booleans()):
        lines.append(comment(""))
    lines += ["guide:", f"  title: {draw(scalars('Testguide om hasen'))}" + eol(),
              "  language: da", "claims:" + eol()]
    ids = []
    for number in range(draw(st.integers(1, max_claims))):
        claim_id = f"c-{number}-{draw(st.sampled_from(['def', 'load', 'ærø', 'x']))}"
        ids.append(claim_id)
        for _ in range(draw(st.integers(0, 2))):
            lines.append(comment(offset) if draw(st.booleans()) else "")
        parts: list[list[str]] = [
            [f"type: {draw(st.sampled_from(CLAIM_TYPES))}" + eol()],
            [f"quote: {draw(scalars(draw(phrases())))}" + eol()],
        ]
        if draw(st.booleans()):
            # Nested lists in the file's one layout (ruamel has one for a file).
            link = [f"evidence:{eol()}",
                    f"{offset}- source: smith{draw(st.integers(2000, 2030))}" + eol(),
                    f"{offset}  relation: {draw(st.sampled_from(['supports', 'mentions']))}"
                    + eol()]
            if draw(st.booleans()):
                link.append(f"{offset}  locator: {draw(scalars('Table 2: p. 5'))}")
            parts.append(link)
        elif draw(st.booleans()):
            parts.append([f"consensus: {draw(scalars('Standard anatomi.'))}" + eol()])
        if draw(st.booleans()):
            parts.append([f"note: {draw(scalars(draw(phrases())))}" + eol()])
        if draw(st.booleans()):
            review = [f"review:{eol()}",
                      f"  status: {draw(st.sampled_from(REVIEW_STATUSES))}" + eol()]
            if draw(st.booleans()):
                review.append("  by: Jane Editor")
                review.append("  on: 2026-10-01" + eol())
            if draw(st.booleans()):
                review.append(f"  note: {draw(scalars('tjek: kilden'))}" + eol())
            if draw(st.booleans()):
                review.insert(1, comment("  "))  # a comment line inside the review
            parts.append(review)
        order = draw(st.permutations(parts))
        lines.append(f"{offset}- id: {claim_id}" + eol())
        for part in order:
            lines += [body + line for line in part]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["blank", "comment", "margin comment"]))
        lines.append("" if kind == "blank" else comment(offset if kind == "comment" else ""))
    # Every '#' of the generated text starts a comment (no scalar holds one).
    comments = [line[line.index("#"):] for line in lines if "#" in line]
    return GenClaims("\n".join(lines) + "\n", ids, comments)
