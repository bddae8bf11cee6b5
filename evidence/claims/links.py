"""Linking a source to a claim, or giving its consensus reason, in claims.yaml (round trip).

The link is added at the end of the claim's ``evidence:`` list (made when
missing), the reason set as its ``consensus:``; the file is edited with
ruamel.yaml's round-trip mode, as reviews are (evidence.claims.review), so
comments, order and layout are kept and only the new lines differ. The result
is read back and compared before it is returned: the other claims read as
before, this one gained exactly the link (or the reason).
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from evidence.claims.loader import EvidenceLink, parse_claims
from evidence.claims.review import (
    attach_trailing_comment,
    comparable_claim,
    detach_trailing_comment,
    round_trip_load,
)
from evidence.errors import EvidenceError
from evidence.scale import RELATIONS


def link_in_text(text: str, path: Path | str, claim_id: str, link: EvidenceLink) -> str:
    """The claims file's text with ``link`` added to the claim's evidence."""
    if link.relation not in RELATIONS:
        raise EvidenceError(f"unknown relation {link.relation!r}: use one of "
                            f"{', '.join(RELATIONS)}; nothing was changed")
    node, data, yaml, before, problems = _load(text, path, claim_id)
    if any(e.source == link.source for c in before.claims if c.id == claim_id
           for e in c.evidence):
        raise EvidenceError(f"{claim_id} already links {link.source}; nothing was changed")
    moved = detach_trailing_comment(node)
    evidence = node.get("evidence")
    if not isinstance(evidence, CommentedSeq):
        evidence = CommentedSeq()
        _insert_before_review(node, "evidence", evidence)
    item = CommentedMap()
    item["source"] = link.source
    item["relation"] = link.relation
    if not link.direct:
        item["direct"] = False
    if link.locator:
        item["locator"] = DoubleQuotedScalarString(link.locator)
    if link.note:
        item["note"] = DoubleQuotedScalarString(link.note)
    evidence.append(item)
    attach_trailing_comment(node, moved)
    new_text = _dump(yaml, data)

    def expected(claim):
        return replace(claim, evidence=[*claim.evidence, link])
    _verify(new_text, path, claim_id, before, problems, expected)
    return new_text


def consensus_in_text(text: str, path: Path | str, claim_id: str, reason: str) -> str:
    """The claims file's text with the claim's ``consensus`` reason set."""
    reason = reason.strip()
    if not reason:
        raise EvidenceError("give the reason the claim rests on consensus; nothing was changed")
    node, data, yaml, before, problems = _load(text, path, claim_id)
    moved = detach_trailing_comment(node)
    if "consensus" in node:
        node["consensus"] = DoubleQuotedScalarString(reason)
    else:
        _insert_before_review(node, "consensus", DoubleQuotedScalarString(reason))
    attach_trailing_comment(node, moved)
    new_text = _dump(yaml, data)
    _verify(new_text, path, claim_id, before, problems,
            lambda claim: replace(claim, consensus=reason))
    return new_text


def _load(text, path, claim_id):
    before, problems, yaml, data = round_trip_load(text, path)
    for node in data.get("claims") or []:
        if isinstance(node, CommentedMap) and str(node.get("id")) == claim_id:
            return node, data, yaml, before, problems
    raise EvidenceError(f"{path}: cannot find claim {claim_id} to edit; nothing was changed")


def _insert_before_review(node: CommentedMap, key: str, value) -> None:
    """A new key where a reader expects it: before ``review:`` (and a note), else last."""
    keys = list(node.keys())
    for anchor in ("review", "note"):
        if anchor in keys:
            node.insert(keys.index(anchor), key, value)
            return
    node[key] = value


def _dump(yaml, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _verify(new_text, path, claim_id, before, problems_before, expected) -> None:
    after, problems = parse_claims(new_text, path)
    if after is None or len(problems) > len(problems_before):
        raise EvidenceError(f"internal error: editing {path} would make it invalid; nothing "
                            "was changed")
    old = [expected(c) if c.id == claim_id else c for c in before.claims]
    if [comparable_claim(c) for c in after.claims] != [comparable_claim(c) for c in old]:
        raise EvidenceError(f"internal error: editing {path} changed more than {claim_id}; "
                            "nothing was changed")
