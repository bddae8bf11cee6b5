"""Moving claims to new words: their quotes rewritten in claims.yaml (round trip).

Used by ``evidence reanchor --apply``. Only the ``quote`` line of each claim
changes (and its ``prefix``/``suffix`` go when the new words need none): the
file is edited with ruamel.yaml's round-trip mode, as reviews are
(evidence.claims.review), keeping comments, order and layout, and read back
before it is returned.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from evidence.claims.loader import parse_claims
from evidence.claims.review import comparable_claim, round_trip_load
from evidence.errors import EvidenceError


@dataclass(frozen=True)
class NewQuote:
    quote: str
    drop_context: bool = False  # remove prefix/suffix: the new words occur once


def requote(text: str, path: Path | str, quotes: Mapping[str, NewQuote]) -> str:
    """The claims file's text with the claims' quotes replaced."""
    before, problems, yaml, data = round_trip_load(text, path)
    found = set()
    for node in data.get("claims") or []:
        if isinstance(node, CommentedMap) and str(node.get("id")) in quotes:
            new = quotes[str(node["id"])]
            node["quote"] = DoubleQuotedScalarString(new.quote)
            if new.drop_context:
                for key in ("prefix", "suffix"):
                    if key in node:
                        del node[key]
            found.add(str(node["id"]))
    missing = sorted(set(quotes) - found)
    if missing:
        raise EvidenceError(f"{path}: cannot find claim {', '.join(missing)} to edit; nothing "
                            "was changed")
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    after, new_problems = parse_claims(new_text, path)
    if after is None or len(new_problems) > len(problems):
        raise EvidenceError(f"internal error: editing {path} would make it invalid; nothing "
                            "was changed")
    for old, new_claim in zip(before.claims, after.claims, strict=True):
        if old.id in quotes:
            wanted = quotes[old.id]
            if new_claim.quote != wanted.quote:
                raise EvidenceError(f"internal error: the quote of {old.id} did not read back; "
                                    "nothing was changed")
            new_claim.quote, new_claim.prefix, new_claim.suffix = (old.quote, old.prefix,
                                                                   old.suffix)
        if comparable_claim(new_claim) != comparable_claim(old):
            raise EvidenceError(f"internal error: editing {path} changed {old.id}; nothing was "
                                "changed")
    return new_text
