"""Recording a sentence as a non-claim in claims.yaml (round trip).

A ``not_claims:`` entry (``quote``, ``reason``) says a sentence that looks
factual is not a claim, so ``draft`` and ``coverage`` leave it alone. The
entry is added at the end of the list (made at the end of the file when
missing) with ruamel.yaml's round-trip mode, as reviews are
(evidence.claims.review), and read back: the claims read as before, the
list gained exactly the entry.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from evidence.claims.loader import parse_claims
from evidence.claims.review import comparable_claim, round_trip_load
from evidence.errors import EvidenceError


def not_claim_in_text(text: str, path: Path | str, quote: str, reason: str,
                      prefix: str | None = None) -> str:
    """The claims file's text with a ``not_claims`` entry for ``quote``."""
    quote, reason = quote.strip(), reason.strip()
    if not quote or not reason:
        raise EvidenceError("a non-claim needs its words and the reason it is no claim; "
                            "nothing was changed")
    before, problems, yaml, data = round_trip_load(text, path)
    entries = data.get("not_claims")
    if entries is None:
        entries = CommentedSeq()
        data["not_claims"] = entries
    if not isinstance(entries, CommentedSeq):
        raise EvidenceError(f"{path}: 'not_claims' is not a list; add the entry by hand")
    entry = CommentedMap()
    entry["quote"] = DoubleQuotedScalarString(quote)
    if prefix:
        entry["prefix"] = DoubleQuotedScalarString(prefix)
    entry["reason"] = DoubleQuotedScalarString(reason)
    entries.append(entry)
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    after, new_problems = parse_claims(new_text, path)
    if after is None or len(new_problems) > len(problems) or \
            [comparable_claim(c) for c in after.claims] != \
            [comparable_claim(c) for c in before.claims] or \
            [(n.quote, n.reason) for n in after.not_claims] != \
            [(n.quote, n.reason) for n in before.not_claims] + [(quote, reason)]:
        raise EvidenceError(f"internal error: the non-claim in {path} did not read back; "
                            "nothing was changed")
    return new_text
