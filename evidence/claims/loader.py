"""claims.yaml: loading and validating a guide's claims (DESIGN §2).

Validation collects every problem with its file and line before giving up,
so an editor fixes a file in one pass. Cross-file checks (unknown citekeys,
duplicate ids across guides, anchoring) happen in :mod:`evidence.project`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.claims import fastyaml
from evidence.errors import Problem
from evidence.language import MARKERS
from evidence.scale import RELATIONS

if TYPE_CHECKING:
    from ruamel.yaml import YAML

CLAIM_TYPES = (
    "definition", "anatomy", "epidemiology", "etiology", "mechanism", "symptom",
    "diagnosis", "treatment", "dosage", "prognosis", "safety", "lifestyle",
)
REVIEW_STATUSES = ("unreviewed", "verified", "disputed", "needs-source")

_TOP_KEYS = ("guide", "claims", "not_claims", "retired")
_GUIDE_KEYS = ("title", "language", "style", "description", "source_url", "license", "method")
_CLAIM_KEYS = ("id", "quote", "prefix", "suffix", "type", "evidence", "consensus", "review", "note")
_LINK_KEYS = ("source", "relation", "direct", "locator", "note")
_REVIEW_KEYS = ("status", "by", "on", "note", "pin")
_NOT_CLAIM_KEYS = ("quote", "prefix", "suffix", "reason")
# ``date`` as `evidence retire` writes it; ``on`` read too (docs/DESIGN.md §2 names it so).
_RETIRED_KEYS = ("id", "quote", "reason", "date", "on")


@dataclass
class EvidenceLink:
    source: str
    relation: str = "supports"
    direct: bool = True
    locator: str | None = None
    note: str | None = None
    line: int | None = None


@dataclass
class Review:
    status: str = "unreviewed"
    by: str | None = None
    on: str | None = None  # ISO date
    note: str | None = None
    pin: dict[str, Any] | None = None  # what was verified (claims/pins.py), as plain data


@dataclass
class Claim:
    id: str
    quote: str
    type: str | None  # None when claims.yaml gives none or an unknown one (reported)
    prefix: str | None = None
    suffix: str | None = None
    evidence: list[EvidenceLink] = field(default_factory=list)
    consensus: str | None = None
    review: Review = field(default_factory=Review)
    note: str | None = None
    line: int | None = None
    # claims.yaml gave a consensus that is no reason (reported, left out): the
    # check then does not also call the claim unsupported.
    bad_consensus: bool = False


@dataclass
class NotClaim:
    quote: str
    reason: str
    prefix: str | None = None
    suffix: str | None = None
    line: int | None = None


@dataclass
class Retired:
    """A claim taken out of the guide (``evidence retire``): its id is never reused."""

    id: str
    quote: str | None
    reason: str
    date: str | None
    line: int | None = None


@dataclass
class GuideMeta:
    title: str | None = None
    language: str = "en"
    style: str | None = None
    description: str | None = None
    source_url: str | None = None
    license: str | None = None
    method: str | None = None  # how the guide's evidence was linked, in words for readers


@dataclass
class ClaimsFile:
    path: Path
    meta: GuideMeta
    claims: list[Claim]
    not_claims: list[NotClaim]
    retired: list[Retired] = field(default_factory=list)


def _line(node, key=None) -> int | None:
    """1-based line of a mapping (or of one of its keys) in the YAML file."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    if key is not None:
        try:
            return lc.key(key)[0] + 1
        except (KeyError, TypeError):
            pass
    return lc.line + 1


def _suggest(name: str, allowed) -> str:
    close = difflib.get_close_matches(str(name), allowed, n=1)
    return f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)


class _Reader:
    """Reads one claims.yaml, recording problems instead of raising."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line, item, message, hint=None, code="claims-invalid"):
        self.problems.append(Problem(self.path, line, item, message, hint, code=code))

    def check_keys(self, node, allowed, item, what):
        for key in node:
            if key not in allowed:
                self.problem(_line(node, key), item, f"unknown field {key!r} in {what}",
                             _suggest(key, allowed))

    def text(self, node, key, item, *, required=False, what="claim"):
        value = node.get(key)
        if value is None:
            if required:
                self.problem(_line(node), item, f"the {what} has no {key!r}",
                             f"add '{key}:'")
            return None
        if isinstance(value, (dict, list)):
            self.problem(_line(node, key), item, f"{key!r} must be text, not a "
                         f"{'mapping' if isinstance(value, dict) else 'list'}")
            return None
        text = str(value)
        if required and not text.strip():
            self.problem(_line(node, key), item, f"{key!r} is empty")
            return None
        return text

    def read(self, data) -> ClaimsFile:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.problem(1, None, "the file must be a mapping with 'guide:' and 'claims:'")
            return ClaimsFile(self.path, GuideMeta(), [], [])
        self.check_keys(data, _TOP_KEYS, None, "the file")
        meta = self.read_meta(data.get("guide"))
        claims = []
        raw_claims = data.get("claims") or []
        if not isinstance(raw_claims, list):
            self.problem(_line(data, "claims"), None, "'claims' must be a list of claims",
                         "start each claim with '- id: ...'")
            raw_claims = []
        for node in raw_claims:
            claim = self.read_claim(node)
            if claim:
                claims.append(claim)
        not_claims = []
        raw_not = data.get("not_claims") or []
        if not isinstance(raw_not, list):
            self.problem(_line(data, "not_claims"), None, "'not_claims' must be a list")
            raw_not = []
        for node in raw_not:
            entry = self.read_not_claim(node)
            if entry:
                not_claims.append(entry)
        return ClaimsFile(self.path, meta, claims, not_claims, self.read_retired(data))

    def read_retired(self, data) -> list[Retired]:
        raw = data.get("retired") or []
        if not isinstance(raw, list):
            self.problem(_line(data, "retired"), None, "'retired' must be a list",
                         "write each retired claim as '- id: ...' with quote, reason, date")
            return []
        retired = []
        for node in raw:
            if not isinstance(node, dict):
                self.problem(_line(node), "retired", "each retired entry must be a mapping "
                             "with 'id:' and 'reason:'")
                continue
            claim_id = self.text(node, "id", "retired", required=True, what="retired entry")
            item = claim_id or "retired"
            self.check_keys(node, _RETIRED_KEYS, item, "a retired entry")
            reason = self.text(node, "reason", item, required=True, what="retired entry")
            date = node.get("date", node.get("on"))
            if isinstance(date, (dt.date, dt.datetime)):
                date = date.isoformat()[:10]
            if claim_id:
                retired.append(Retired(claim_id, self.text(node, "quote", item), reason or "",
                                       None if date is None else str(date), _line(node)))
        return retired

    def read_meta(self, node) -> GuideMeta:
        if node is None:
            return GuideMeta()
        if not isinstance(node, dict):
            self.problem(1, None, "'guide' must be a mapping (title:, language:)")
            return GuideMeta()
        self.check_keys(node, _GUIDE_KEYS, None, "'guide'")
        values = {k: self.text(node, k, None, what="guide") for k in _GUIDE_KEYS}
        style = values["style"]
        if style and _escapes_project(style):
            self.problem(_line(node, "style"), None,
                         f"style path {style!r} leads outside the project",
                         "name a style (apa, loeberlab) or give a .csl path relative to "
                         "the project, without '..'")
            values["style"] = None
        values["language"] = values["language"] or "en"
        return GuideMeta(**values)

    def read_claim(self, node) -> Claim | None:
        if not isinstance(node, dict):
            self.problem(_line(node), None, "each claim must be a mapping starting with 'id:'")
            return None
        claim_id = self.text(node, "id", None, required=True)
        item = claim_id or f"claim at line {_line(node)}"
        self.check_keys(node, _CLAIM_KEYS, item, "a claim")
        quote = self.text(node, "quote", item, required=True)
        claim_type = self.text(node, "type", item, required=True)
        if claim_type and claim_type not in CLAIM_TYPES:
            self.problem(_line(node, "type"), item, f"unknown claim type {claim_type!r}",
                         _suggest(claim_type, CLAIM_TYPES))
            claim_type = None
        consensus = self.consensus(node, item)
        bad_consensus = consensus is None and node.get("consensus") is not None
        evidence = self.read_evidence(node.get("evidence"), node, item)
        review = self.read_review(node.get("review"), node, item)
        # Without an id or a quote there is no claim to build; a bad type is
        # left out (reported above) and the rest of the claim is built.
        if not (claim_id and quote):
            return None
        return Claim(
            id=claim_id, quote=quote, type=claim_type,
            prefix=self.text(node, "prefix", item), suffix=self.text(node, "suffix", item),
            evidence=evidence, consensus=consensus, review=review,
            note=self.text(node, "note", item), line=_line(node), bad_consensus=bad_consensus,
        )

    def consensus(self, node, item) -> str | None:
        """The consensus reason; a boolean, an empty value or a bare marker
        (``yes``, ``x``, ``TODO``) gives no reason: an error, and left out."""
        raw = node.get("consensus")
        if raw is None:
            return None
        text = None if isinstance(raw, bool) else self.text(node, "consensus", item)
        if text is not None and text.strip().lower() not in MARKERS:
            return text
        if isinstance(raw, (dict, list)):
            return None  # reported by text()
        shown = "empty" if text is not None and not text.strip() else f"{raw!r}, not a reason"
        self.problem(_line(node, "consensus"), item, f"'consensus' is {shown}",
                     "write why the claim may rest on consensus (e.g. 'Standard anatomy.'), "
                     "or remove the field and link a source", code="consensus-without-reason")
        return None

    def read_evidence(self, nodes, parent, item) -> list[EvidenceLink]:
        if nodes is None:
            return []
        if not isinstance(nodes, list):
            self.problem(_line(parent, "evidence"), item, "'evidence' must be a list of links",
                         "write each link as '- source: citekey'")
            return []
        links = []
        for node in nodes:
            if not isinstance(node, dict):
                self.problem(_line(parent, "evidence"), item,
                             "each evidence link must be a mapping with 'source:'")
                continue
            self.check_keys(node, _LINK_KEYS, item, "an evidence link")
            source = self.text(node, "source", item, required=True, what="evidence link")
            relation = self.text(node, "relation", item) or "supports"
            if relation not in RELATIONS:
                self.problem(_line(node, "relation"), item, f"unknown relation {relation!r}",
                             _suggest(relation, RELATIONS))
                continue
            direct = node.get("direct", True)
            if not isinstance(direct, bool):
                self.problem(_line(node, "direct"), item,
                             f"'direct' must be true or false, not {direct!r}")
                continue
            if source:
                links.append(EvidenceLink(
                    source=source, relation=relation, direct=direct,
                    locator=self.text(node, "locator", item), note=self.text(node, "note", item),
                    line=_line(node),
                ))
        return links

    def read_review(self, node, parent, item) -> Review:
        if node is None:
            return Review()
        if not isinstance(node, dict):
            self.problem(_line(parent, "review"), item, "'review' must be a mapping (status:)")
            return Review()
        self.check_keys(node, _REVIEW_KEYS, item, "'review'")
        status = self.text(node, "status", item) or "unreviewed"
        if status not in REVIEW_STATUSES:
            self.problem(_line(node, "status"), item, f"unknown review status {status!r}",
                         _suggest(status, REVIEW_STATUSES))
            status = "unreviewed"
        on = node.get("on")
        if isinstance(on, (dt.date, dt.datetime)):
            on = on.isoformat()[:10]
        elif on is not None:
            on = str(on)
            try:
                dt.date.fromisoformat(on)
            except ValueError:
                self.problem(_line(node, "on"), item, f"review date {on!r} is not a date",
                             "write it as YYYY-MM-DD")
        pin = node.get("pin")
        if pin is not None and not isinstance(pin, dict):
            self.problem(_line(node, "pin"), item, "'pin' must be a mapping (set by "
                         "`evidence review`)")
            pin = None
        return Review(status=status, by=self.text(node, "by", item), on=on,
                      note=self.text(node, "note", item),
                      pin=_plain(pin) if pin else None)

    def read_not_claim(self, node) -> NotClaim | None:
        if not isinstance(node, dict):
            self.problem(_line(node), None, "each not_claims entry must be a mapping with "
                         "'quote:' and 'reason:'")
            return None
        self.check_keys(node, _NOT_CLAIM_KEYS, "not_claims", "a not_claims entry")
        quote = self.text(node, "quote", "not_claims", required=True, what="not_claims entry")
        reason = self.text(node, "reason", "not_claims", required=True, what="not_claims entry")
        if not (quote and reason):
            return None
        return NotClaim(quote=quote, reason=reason, prefix=self.text(node, "prefix", None),
                        suffix=self.text(node, "suffix", None), line=_line(node))


def _plain(value: Any) -> Any:
    """YAML data as plain dicts, lists, text, numbers, booleans and None (what the
    pin's writer gives, so a pin reads back equal to what was written)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return bool(value) if isinstance(value, bool) else value if value is None else int(value)
    return str(value)


def _escapes_project(path: str) -> bool:
    """True for an absolute path, a home-relative one or one climbing out with '..'."""
    parts = path.replace("\\", "/").split("/")
    return path.startswith(("/", "~", "\\")) or ":" in parts[0] or ".." in parts


def yaml_loader() -> YAML:
    """ruamel.yaml's round-trip loader, as the claims files are read with it.

    Round-trip mode gives line numbers; it constructs only plain data types
    (no arbitrary Python objects), so loading an untrusted file is safe.
    ruamel is imported here, not with this module: most files never need it
    (fastyaml reads them), and its import is 7 ms of every build.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Constructor = _text_for_impossible_dates()
    yaml.allow_duplicate_keys = False
    return yaml


@lru_cache(maxsize=1)
def _text_for_impossible_dates() -> type:
    """A constructor where a date-like scalar that is no date (2026-13-45,
    0000-00-00) stays text, for the reader to report with its line, instead of
    a ValueError from ruamel.yaml."""
    from ruamel.yaml.constructor import RoundTripConstructor

    class TextForImpossibleDates(RoundTripConstructor):
        def construct_yaml_timestamp(self, node, values=None):
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return self.construct_scalar(node)

    TextForImpossibleDates.add_constructor("tag:yaml.org,2002:timestamp",
                                           TextForImpossibleDates.construct_yaml_timestamp)
    return TextForImpossibleDates


def load_yaml(text: str) -> Any:
    """The file's data with line numbers: libyaml when it gives ruamel's exact
    result (20x faster), ruamel.yaml itself otherwise (and for every error)."""
    try:
        return fastyaml.load(text)
    except fastyaml.Fallback:
        return yaml_loader().load(text)


def parse_claims(text: str, path: Path | str) -> tuple[ClaimsFile | None, list[Problem]]:
    path = Path(path)
    try:
        data = fastyaml.load(text)
    except fastyaml.Fallback:
        data, problems = _load_with_ruamel(text, path)
        if problems:
            return None, problems
    reader = _Reader(path)
    claims_file = reader.read(data)
    return claims_file, reader.problems


def _load_with_ruamel(text: str, path: Path) -> tuple[Any, list[Problem]]:
    """The data as ruamel.yaml reads it, or its error as the problem to report."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return yaml_loader().load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = " ".join(f"{exc.context or ''} {exc.problem or ''}".split())
        return None, [Problem(path, line, None, f"malformed YAML: {detail}",
                              "check the indentation and quoting around this line",
                              code="claims-invalid")]
    except (YAMLError, ValueError, OverflowError) as exc:  # a value no constructor can make
        return None, [Problem(path, None, None, f"malformed YAML: {exc}", code="claims-invalid")]
    except TypeError:  # ruamel cannot make a mapping or a list into a key ("? - x")
        return None, [Problem(path, None, None, "malformed YAML: a mapping or a list is used "
                              "as a key (a line starting with '? ' or a key in braces)",
                              "write every key as a plain word", code="claims-invalid")]


def load_claims(path: Path) -> tuple[ClaimsFile | None, list[Problem]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(path, None, None, f"not UTF-8 text: {exc}",
                              code="claims-invalid")]
    return parse_claims(text, path)
