"""Claim ids for stubs: the guide's initials and the sentence's first telling words.

``dh-smerte-knaeet-hyppig-klage`` for "Smerte bag knæet er en hyppig klage
blandt løbere" in the guide ``distal-hasetendinopati``: stable (the same
words give the same id), readable, ASCII. An id already used by any guide of
the project, or retired, is never given again: a number is added instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from evidence.guide.document import slugify
from evidence.language import LEXICONS

_WORDS_IN_ID = 5
_MAX_LENGTH = 48
# Common words of every language with a lexicon, and a few more that tell nothing.
_STOP = frozenset().union(*(lex.function_words for lex in LEXICONS.values())) | {
    "en", "den", "i", "a", "an", "om", "for", "så", "sig", "in", "as", "its", "at", "hos",
    "mod", "ad", "ud", "op", "ned", "over", "under", "into", "about",
}


def guide_prefix(guide: str) -> str:
    """The initials of the guide's slug ("distal-hasetendinopati" → "dh"); a guide of
    one word gives its first three letters."""
    parts = [p for p in slugify(guide).split("-") if p]
    if len(parts) >= 2:
        return "".join(p[0] for p in parts)[:6]
    return (parts[0] if parts else "g")[:3]


def prefix_in_use(ids: Iterable[str]) -> str | None:
    """The prefix most of a guide's claim ids share (``dht`` of ``dht-rare``), so a
    new stub's id reads like its neighbours'; None when no prefix is most ids'."""
    heads = Counter(i.split("-", 1)[0] for i in ids if "-" in i)
    total = sum(heads.values())
    if not heads:
        return None
    head, count = heads.most_common(1)[0]
    return head if count * 2 > total else None


def claim_id(guide: str, quote: str, taken: set[str], prefix: str | None = None) -> str:
    """A new id for a stub of ``guide`` quoting ``quote``, not in ``taken`` (which gains
    it): ``prefix`` (the one the guide's ids use), else the initials of the guide."""
    words = [w for w in re.findall(r"[^\W_]+", quote.lower()) if w not in _STOP]
    slug = slugify(" ".join(words[:_WORDS_IN_ID])) if words else "claim"
    base = f"{prefix or guide_prefix(guide)}-{slug}"
    while len(base) > _MAX_LENGTH and base.count("-") > 1:
        base = base.rsplit("-", 1)[0]  # whole words only
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def project_ids(root: Path) -> set[str]:
    """Every claim id and retired id of every guide of the project (claims/*/claims.yaml).

    Read leniently: a claims.yaml that does not parse gives no ids here (the build
    reports it); a ``retired:`` list (entries with ``id``) is read when present."""
    ids: set[str] = set()
    for path in sorted((Path(root) / "claims").glob("*/claims.yaml")):
        ids.update(ids_in(path.read_text(encoding="utf-8")))
    return ids


def ids_in(text: str) -> Iterable[str]:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    found = []
    for key in ("claims", "retired"):
        entries = data.get(key)
        if isinstance(entries, list):
            found += [str(e["id"]) for e in entries if isinstance(e, dict) and e.get("id")]
    return found
