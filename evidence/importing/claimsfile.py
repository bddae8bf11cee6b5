"""Stubs written as claims.yaml text: the layout of the project's hand-made files."""

from __future__ import annotations

import json

from evidence.importing.stubs import Stub

HEADER = """\
# Claims of the guide {title} (guide.md in this folder), drafted by `evidence import`
# from {source}.
#
# Every claim below is a stub: the words of a sentence that reads as a statement
# of fact, advice, a dose, a duration, a prognosis or an attribution, with a
# guessed type. None links a source or rests on consensus, so each is unsupported
# until an editor links what supports it or writes the consensus it rests on. A
# source a sentence names is drafted as a comment: confirm that it supports the
# claim before making it a link. A sentence that is not a claim goes under
# not_claims with the reason; `evidence coverage` lists what is left.
"""


def scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string form is one), non-ASCII kept."""
    return json.dumps(text, ensure_ascii=False)


def claims_file(title: str, language: str, source: str, stubs: list[Stub]) -> str:
    lines = [HEADER.format(title=scalar(title), source=source).rstrip("\n"),
             "guide:", f"  title: {scalar(title)}", f"  language: {language}", "claims:"]
    if not stubs:
        lines[-1] = "claims: []"
    lines += stub_lines(stubs, indent="  ")
    return "\n".join(lines) + "\n"


def stub_lines(stubs: list[Stub], *, indent: str, sections: bool = True) -> list[str]:
    """The YAML lines of stubs as items of the claims list, indented by ``indent``;
    a comment line names the section where a new one starts."""
    lines: list[str] = []
    section: str | None = None
    inner = indent + "  "
    for stub in stubs:
        if sections and stub.section != section:
            if section is not None:
                lines.append("")
            lines.append(f"{indent}# --- {stub.section or 'Lead'} ---")
            section = stub.section
        lines.append(f"{indent}- id: {stub.id}")
        lines.append(f"{inner}quote: {scalar(stub.quote)}")
        if stub.prefix:
            lines.append(f"{inner}prefix: {scalar(stub.prefix)}")
        lines.append(f"{inner}type: {stub.type}")
        if stub.named:
            lines += _drafted(stub, inner)
        lines.append(f"{inner}review:")
        lines.append(f"{inner}  status: unreviewed")
    return lines


def _drafted(stub: Stub, inner: str) -> list[str]:
    """The drafted link as comments: the editor confirms it, then uncomments it."""
    if len(stub.named) == 1:
        named = stub.named[0]
        what = f"printed source {named.source.number} ({named.how})"
    else:
        what = "one of printed sources " + ", ".join(
            f"{n.source.number} ({n.how})" for n in stub.named)
    lines = [f"{inner}# Drafted, not a link: the sentence names {what}.",
             f"{inner}# Confirm that it supports the claim, then uncomment:",
             f"{inner}# evidence:"]
    lines += [f"{inner}#   - source: {n.source.key}" for n in stub.named]
    return lines
