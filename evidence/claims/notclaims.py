"""Recording a sentence as a non-claim in claims.yaml (round trip).

A ``not_claims:`` entry (``quote``, ``reason``) says a sentence that looks
factual is not a claim, so ``draft`` and ``coverage`` leave it alone. The
entry is added at the end of the list (made before ``retired:``, else at the
end of the file, when missing; the blank line and comments that followed the
list's last entry follow the new one) with ruamel.yaml's round-trip mode, as reviews are
(evidence.claims.review), and read back: the claims read as before, the
list gained exactly the entry.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from evidence.claims.loader import parse_claims
from evidence.claims.review import (
    attach_trailing_comment,
    comparable_claim,
    detach_trailing_comment,
    round_trip_load,
)
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
    gap = None  # the blank and comment lines that stood before the key after the list
    if entries is None:
        entries = CommentedSeq()
        keys = list(data.keys())
        if "not_claims" not in data and "retired" in data and keys.index("retired") > 0:
            # claims, not_claims, retired (DESIGN §2): the new list goes before
            # retired:, which keeps the blank line and comments that stood before it
            gap = detach_trailing_comment(data[keys[keys.index("retired") - 1]])
            if gap is not None and gap.value.startswith("\n\n"):
                attach_trailing_comment(data[keys[keys.index("retired") - 1]],
                                        CommentToken("\n\n", gap.start_mark, None))
            data.insert(keys.index("retired"), "not_claims", entries)
        else:
            data["not_claims"] = entries
    if not isinstance(entries, CommentedSeq):
        raise EvidenceError(f"{path}: 'not_claims' is not a list; add the entry by hand")
    if len(entries):  # the lines after the last entry follow the new one
        gap = detach_trailing_comment(entries)
    entry = CommentedMap()
    entry["quote"] = DoubleQuotedScalarString(quote)
    if prefix:
        entry["prefix"] = DoubleQuotedScalarString(prefix)
    entry["reason"] = DoubleQuotedScalarString(reason)
    entries.append(entry)
    attach_trailing_comment(entries, gap)
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
