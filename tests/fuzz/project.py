"""Hypothesis strategies for whole projects, valid or mutated into nonsense."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

from evidence.claims.loader import CLAIM_TYPES, REVIEW_STATUSES
from evidence.scale import DESIGN_BY_CODE, RELATIONS
from tests.fuzz.bibtex import bib_files
from tests.fuzz.guide import guides

# Characters that matter to the syntaxes of the three files.
TOKENS = ["{", "}", '"', "'", "@", ",", "=", "#", "%", "\\", "\n", "\t", " ", ":", "-", "- ",
          "[", "]", "&", "*", "!", "|", ">", "?", "\x00", "\ufeff", "\r", "æ", "\u030a",
          "!!python/object/apply:os.system ['true']", "*anchor", "&anchor", "<<: ", "---",
          "...", "{{", "}}", "@string{", "@comment{", "@article{x,", " # ", "claims:",
          "  - id: ", "quote: ", "evidence:", "source: ", "review:", "2026-13-45", "~", "null",
          "yes", "1e999", "0x1F", ".inf"]


@st.composite
def mutated(draw, text: str, max_edits: int = 4) -> str:
    """The text with a few random edits: deletions, insertions, swaps, cuts."""
    for _ in range(draw(st.integers(1, max_edits))):
        n = len(text)
        op = draw(st.sampled_from(["delete", "insert", "insert", "replace", "cut", "dup", "swap"]))
        i = draw(st.integers(0, n))
        if op == "delete" and n:
            j = draw(st.integers(i, min(n, i + 12)))
            text = text[:i] + text[j:]
        elif op == "insert":
            token = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)))
            text = text[:i] + token + text[i:]
        elif op == "replace" and n:
            token = draw(st.sampled_from(TOKENS))
            text = text[:i] + token + text[i + 1:]
        elif op == "cut":
            text = text[:i]
        elif op == "dup" and n:
            j = draw(st.integers(i, min(n, i + 40)))
            text = text[:j] + text[i:j] + text[j:]
        elif op == "swap":
            lines = text.split("\n")
            if len(lines) > 1:
                a = draw(st.integers(0, len(lines) - 1))
                b = draw(st.integers(0, len(lines) - 1))
                lines[a], lines[b] = lines[b], lines[a]
                text = "\n".join(lines)
    return text


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


@st.composite
def projects(draw, max_claims: int = 6) -> dict[str, str]:
    """A valid project: {relative path: text}. Claims quote the guide uniquely."""
    guide = draw(guides(max_blocks=8))
    bib = draw(bib_files(max_entries=4))
    keys = [e.key for e in bib.entries]
    designs = list(DESIGN_BY_CODE)
    # Give some entries a study design and a DOI (keeping the file valid).
    text = bib.text
    lines = ['guide:', f'  title: {yaml_string(draw(st.text(max_size=20)))}', '  language: da',
             'claims:', '  # a comment']
    seen = set()
    for number in range(draw(st.integers(0, max_claims))):
        block = draw(st.sampled_from(guide.blocks))
        first = draw(st.integers(0, len(block.words) - 1))
        last = draw(st.integers(first, len(block.words) - 1))
        words = " ".join(w.plain for w in block.words[first:last + 1])
        if len(guide.occurrences(words)) != 1 or words in seen:
            continue
        seen.add(words)
        lines += [f"  - id: c-{number}", f"    quote: {yaml_string(words)}",
                  f"    type: {draw(st.sampled_from(CLAIM_TYPES))}"]
        links = draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
        if links:
            lines.append("    evidence:")
            for key in links:
                lines += [f"      - source: {key}",
                          f"        relation: {draw(st.sampled_from(RELATIONS))}",
                          f"        direct: {draw(st.sampled_from(['true', 'false']))}",
                          f"        note: {yaml_string(draw(st.text(max_size=15)))}"]
        elif draw(st.booleans()):
            lines.append(f"    consensus: {yaml_string('Standard anatomy')}")
        if draw(st.booleans()):
            lines += ["    review:", f"      status: {draw(st.sampled_from(REVIEW_STATUSES))}",
                      "      by: AB", "      on: 2026-11-01"]
    claims = "\n".join(lines) + "\n"
    if draw(st.booleans()) and keys:
        text += "\n@article{zz-designed-entry,\n  title = {A study},\n  doi = {10.1234/abc.1},\n" \
                f"  studydesign = {{{draw(st.sampled_from(designs))}}}\n}}\n"
    return {"references.bib": text, "claims/g/guide.md": guide.text, "claims/g/claims.yaml": claims}


@st.composite
def broken_projects(draw) -> dict[str, bytes]:
    """A generated project with one or more files mutated, as bytes on disk."""
    files = draw(projects())
    out = {}
    for path, text in files.items():
        if draw(st.integers(0, 2)) == 0:
            text = draw(mutated(text))
        data = text.encode("utf-8", "surrogatepass")
        encoding = draw(st.sampled_from(["utf-8"] * 8 + ["latin-1", "bom", "bad-byte"]))
        if encoding == "latin-1":
            data = text.encode("latin-1", "replace")
        elif encoding == "bom":
            data = b"\xef\xbb\xbf" + data
        elif encoding == "bad-byte":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + b"\xff\xfe" + data[i:]
        out[path] = data
    if draw(st.integers(0, 9)) == 0:
        out.pop(draw(st.sampled_from(sorted(out))))  # a missing file
    return out


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        path.write_bytes(content)
    return root
