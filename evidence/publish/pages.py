"""What the publication's own pages show, read from evidence.db.

Each function takes a Datasette ``Database`` and returns plain data for a
template; nothing here builds HTML except :func:`highlight`, which escapes
everything it is given. The templates escape the rest (Jinja autoescape).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup, escape

from evidence.bib.initials import initials
from evidence.publish.metadata import DATABASE, tier_sentences
from evidence.scale import (
    BASES,
    BASIS_BY_CODE,
    DESIGN_BY_CODE,
    TIER_BY_CODE,
    TIERS,
    WITHDRAWING_UPDATES,
)

BASIS_ORDER = [b.code for b in BASES]

# Above this many guides the home page lists guides with their totals and
# leaves the section charts to each guide's page.
CHARTS_ON_HOME = 3
GUIDES_PER_PAGE = 25


# --- Overview --------------------------------------------------------------


@dataclass
class Segment:
    basis: str
    label: str
    count: int
    share: float  # 0..100, of the bar's total
    url: str


@dataclass
class Bar:
    total: int
    width: float  # 0..100, relative to the longest bar of the chart
    segments: list[Segment]


@dataclass
class SectionRow:
    id: str
    heading: str
    level: int
    position: int
    bar: Bar
    url: str


@dataclass
class GuideSummary:
    id: str
    title: str
    language: str
    url: str
    claims_url: str
    bar: Bar
    counts: list[Segment]  # every basis, zeros included, in scale order
    indirect: int = 0
    contested: int = 0
    unreviewed: int = 0
    sections: list[SectionRow] = field(default_factory=list)
    orphaned: int = 0  # claims whose words are no longer in the guide
    stale: int = 0  # verdicts that lapsed
    stale_reason: str | None = None  # set when the guide is shown from its last good build
    method: str | None = None  # how its evidence was linked (guide.method)


def claims_url(datasette, **filters) -> str:
    """The faceted claims list, filtered by ``column=value`` pairs."""
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    base = datasette.urls.table(DATABASE, "claims")
    return f"{base}?{query}" if query else base


def row_url(datasette, table: str, key: str) -> str:
    from datasette.utils import tilde_encode

    return datasette.urls.row(DATABASE, table, tilde_encode(str(key)))


def make_bar(datasette, counts: dict[str, int], longest: int, **filters) -> Bar:
    total = sum(counts.values())
    segments = [
        Segment(code, BASIS_BY_CODE[code].label, counts[code],
                100.0 * counts[code] / total if total else 0.0,
                claims_url(datasette, **filters, basis=code))
        for code in BASIS_ORDER if counts.get(code)
    ]
    width = 100.0 * total / longest if longest else 0.0
    return Bar(total, width, segments)


def legend() -> dict:
    """Every basis and every tier, each explained in one sentence."""
    return {
        "bases": [{"code": b.code, "label": b.label, "description": b.description}
                  for b in BASES],
        "tiers": [{"code": code, "label": label, "description": sentence}
                  for code, label, sentence in tier_sentences()],
    }


async def totals(db) -> dict:
    """Counts for the overview. `supporting` is the sources that support at least one claim
    as the basis rule counts support (``claim_sources.counts``, set by the build: a
    retracted source supports nothing)."""
    row = (await db.execute(
        "select (select count(*) from guides), (select count(*) from claims), "
        "(select count(*) from sources), "
        # one pass over the index on (counts, source_id)
        "(select count(distinct source_id) from claim_sources where counts = 1), "
        "(select count(*) from findings)")).first()
    return {"guides": row[0], "claims": row[1], "sources": row[2], "supporting": row[3],
            "findings": row[4]}


async def overall_bar(datasette, db) -> Bar:
    counts = {row[0]: row[1] for row in await db.execute(
        "select basis, count(*) from claims group by basis")}
    return make_bar(datasette, counts, sum(counts.values()))


async def guide_summaries(datasette, db, *, guide_ids: list[str] | None = None,
                          page: int = 1, per_page: int | None = None
                          ) -> tuple[list[GuideSummary], int]:
    """Guides with their claims per basis; (one page of them, number of pages)."""
    per_page = per_page or GUIDES_PER_PAGE
    if guide_ids is None:
        count = (await db.execute("select count(*) from guides")).first()[0]
        pages = max(1, -(-count // per_page))
        page = min(max(1, page), pages)
        rows = list(await db.execute(
            "select id, title, language, stale_reason, method from guides order by title, id "
            "limit ? offset ?",
            [per_page, (page - 1) * per_page]))
    else:
        pages = 1
        marks = ", ".join("?" for _ in guide_ids)
        rows = list(await db.execute(
            f"select id, title, language, stale_reason, method from guides where id in ({marks}) "
            "order by title, id", guide_ids))
    if not rows:
        return [], pages
    ids = [row["id"] for row in rows]
    marks = ", ".join("?" for _ in ids)
    per_basis: dict[str, Counter] = {gid: Counter() for gid in ids}
    flags: dict[str, tuple[int, ...]] = {}
    for row in await db.execute(
            f"select guide_id, basis, count(*) from claims where guide_id in ({marks}) "
            "group by guide_id, basis", ids):
        per_basis[row[0]][row[1]] = row[2]
    for row in await db.execute(
            f"select guide_id, sum(indirect), sum(contested), sum(status = 'unreviewed'), "
            f"sum(anchor = 'orphaned'), sum(status = 'stale') "
            f"from claims where guide_id in ({marks}) group by guide_id", ids):
        flags[row[0]] = tuple(row[i] or 0 for i in range(1, 6))
    longest = max((sum(c.values()) for c in per_basis.values()), default=0)
    summaries = []
    for row in rows:
        gid = row["id"]
        counts = per_basis[gid]
        indirect, contested, unreviewed, orphaned, stale = flags.get(gid, (0, 0, 0, 0, 0))
        total = sum(counts.values())
        summaries.append(GuideSummary(
            id=gid, title=row["title"], language=row["language"],
            url=row_url(datasette, "guides", gid),
            claims_url=claims_url(datasette, guide_id=gid),
            bar=make_bar(datasette, counts, longest, guide_id=gid),
            counts=[Segment(code, BASIS_BY_CODE[code].label, counts.get(code, 0),
                            100.0 * counts.get(code, 0) / total if total else 0.0,
                            claims_url(datasette, guide_id=gid, basis=code))
                    for code in BASIS_ORDER],
            indirect=indirect, contested=contested, unreviewed=unreviewed,
            orphaned=orphaned, stale=stale, stale_reason=row["stale_reason"],
            method=row["method"],
        ))
    return summaries, pages


async def add_sections(datasette, db, guide: GuideSummary) -> GuideSummary:
    """Fill in the guide's chart: claims per basis in each section."""
    counts: dict[str, Counter] = {}
    for row in await db.execute(
            "select section_id, basis, count(*) from claims where guide_id = ? "
            "group by section_id, basis", [guide.id]):
        counts.setdefault(row[0], Counter())[row[1]] = row[2]
    longest = max((sum(c.values()) for c in counts.values()), default=0)
    guide.sections = [
        SectionRow(
            id=row["id"], heading=row["heading"], level=row["level"],
            position=row["position"],
            bar=make_bar(datasette, counts.get(row["id"], Counter()), longest,
                         guide_id=guide.id, section_id=row["id"]),
            url=claims_url(datasette, guide_id=guide.id, section_id=row["id"]),
        )
        for row in await db.execute(
            "select id, heading, level, position from sections where guide_id = ? "
            "order by position", [guide.id])
    ]
    return guide


# --- Claim page ------------------------------------------------------------

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten")


def _count(n: int) -> str:
    return _NUMBERS[n] if n < len(_NUMBERS) else str(n)


def _plural(label: str) -> str:
    """'Case report' -> 'case reports'; 'Systematic review of X' -> 'systematic reviews of X'."""
    label = label[0].lower() + label[1:]
    head, sep, tail = label.partition(" of ")

    def one(word_group: str) -> str:
        if word_group.endswith("series"):
            return word_group
        if word_group.endswith("y") and not word_group.endswith(("ay", "ey", "oy")):
            return word_group[:-1] + "ies"
        return word_group + "s"

    return one(head) + sep + tail


def _design_phrase(design: str | None, n: int) -> str:
    if design is None or design not in DESIGN_BY_CODE:
        noun = "source without a study design" if n == 1 else "sources without a study design"
        return f"{_count(n)} {noun}"
    label = DESIGN_BY_CODE[design].label
    if design == "other":
        label = "publication of another kind"
        return f"{_count(n)} {label}" if n == 1 else f"{_count(n)} publications of other kinds"
    noun = label[0].lower() + label[1:] if n == 1 else _plural(label)
    return f"{_count(n)} {noun}"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


_MISSING = {
    "trial": "",
    "observational": "no trial",
    "case": "no trial or observational study",
    "expert": "no trial or observational study",
}


def explain_basis(basis: str, links: list[dict], consensus: str | None,
                  indirect: bool, contested: bool) -> str:
    """The basis in plain words: 'Rests on one narrative review; no trial.'

    ``links`` carry ``counts`` as the build graded them; a supporting link that
    does not count is one to a retracted source.
    """
    supporting = [link for link in links if link["counts"]]
    retracted = [link for link in links
                 if link["relation"] == "supports" and not link["counts"]]
    if basis in ("consensus", "unsupported"):
        if basis == "consensus":
            text = "Rests on clinical consensus or established knowledge; no source is cited"
        else:
            text = "No source supports it and no consensus reason is given: it needs a source"
    else:
        designs = Counter(link["study_design"] for link in supporting)
        order = sorted(designs, key=lambda d: (
            DESIGN_BY_CODE[d].ocebm_level if d in DESIGN_BY_CODE else 9, d or ""))
        text = "Rests on " + _join([_design_phrase(d, designs[d]) for d in order])
        missing = _MISSING.get(basis, "")
        if missing:
            text += f"; {missing}"
    sentences = [text + "."]
    if indirect:
        sentences.append("The best of these studied another condition or population, "
                         "so the claim is extrapolated.")
    if contested:
        against = sorted({link["source_id"] for link in links
                          if link["relation"] == "contradicts"})
        sentences.append(f"Contradicted by {_join(against)}.")
    if retracted:
        sentences.append(f"Not counted, because retracted: "
                         f"{_join(sorted({link['source_id'] for link in retracted}))}.")
    return " ".join(sentences)


def highlight(text: str, start: int, end: int, quote_start: int, quote_end: int) -> Markup:
    """``text[start:end]`` escaped, with the quote's span in ``<mark>``."""
    quote_start = max(start, min(quote_start, end))
    quote_end = max(quote_start, min(quote_end, end))
    return Markup("").join([
        escape(text[start:quote_start]),
        Markup('<mark class="quote">'), escape(text[quote_start:quote_end]), Markup("</mark>"),
        escape(text[quote_end:end]),
    ])


@dataclass
class BlockSpan:
    """Where a block of the guide (paragraph, list item, heading) stands in guide.md."""

    kind: str
    start: int
    end: int


async def block_at(db, guide_id: str, offset: int) -> BlockSpan | None:
    """The block holding a character offset of guide.md (stored by the build)."""
    row = (await db.execute(
        "select kind, start, [end] from blocks where guide_id = ? and start <= ? and ? < [end] "
        "order by position limit 1", [guide_id, offset, offset])).first()
    return BlockSpan(row["kind"], row["start"], row["end"]) if row else None


def quote_in_context(text: str | None, start: int | None, end: int | None,
                     block: BlockSpan | None, line: int | None) -> dict | None:
    """The paragraph (or list item) holding the quote, the quote highlighted."""
    if text is None or start is None or end is None:
        return None
    if block is None:
        lo, hi = start, end
        kind = "paragraph"
    else:
        lo, hi = min(block.start, start), max(block.end, end)
        kind = block.kind
    return {"html": highlight(text, lo, hi, start, end), "kind": kind, "line": line}


async def claim_history(db, claim_id: str) -> list[dict]:
    """What editors did to the claim (claims/<guide>/history.yaml), newest first: each
    change as (field, from, to) in words."""
    rows = [dict(row) for row in await db.execute(
        "select action, by, at, before, after from claim_history where claim_id = ? "
        "order by at desc, position desc", [claim_id])]
    for row in rows:
        before, after = _json_object(row.pop("before")), _json_object(row.pop("after"))
        row["changes"] = [{"field": key, "from": _shown(before.get(key)),
                           "to": _shown(after.get(key))}
                          for key in dict.fromkeys([*after, *before])]
    return rows


def _json_object(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _shown(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


async def claim_page(datasette, db, claim_id: str) -> dict | None:
    claim = (await db.execute(
        "select c.*, g.title as guide_title, g.language as guide_language, "
        "g.text as guide_text, g.sha256 as guide_sha256, g.path as guide_path, "
        "g.claims_path as claims_path, g.stale_reason as guide_stale_reason, "
        "s.heading as section_heading, "
        "s.level as section_level, b.label as basis_label, "
        "b.description as basis_description "
        "from claims c join guides g on g.id = c.guide_id "
        "left join sections s on s.id = c.section_id "
        "left join bases b on b.code = c.basis where c.id = ?", [claim_id])).first()
    if claim is None:
        return None
    claim = dict(claim)
    links = [dict(row) for row in await db.execute(
        "select cs.relation, cs.direct, cs.locator, cs.note, cs.source_id, "
        "so.title, so.authors, so.year, so.container_title, so.doi, so.retracted, "
        "so.study_design, d.label as design_label, d.ocebm_level, so.tier, "
        "t.label as tier_label, t.rank as tier_rank, cs.counts "
        "from claim_sources cs join sources so on so.id = cs.source_id "
        "left join study_designs d on d.code = so.study_design "
        "left join tiers t on t.code = so.tier "
        "where cs.claim_id = ? order by cs.position, cs.id", [claim_id])]
    updates: dict[str, list[dict]] = {}
    if links:
        ids = sorted({link["source_id"] for link in links})
        marks = ", ".join("?" for _ in ids)
        for row in await db.execute(
                f"select source_id, update_type, notice_doi, updated, label, origin "
                f"from source_updates where source_id in ({marks}) "
                "order by updated, id", ids):
            updates.setdefault(row["source_id"], []).append(dict(row))
    for link in links:
        link["url"] = row_url(datasette, "sources", link["source_id"])
        link["updates"] = updates.get(link["source_id"], [])
        link["counts"] = bool(link["counts"])
        # the short reference: "Authors (year). Title. Journal." (AMA's full stops)
        head = (link["authors"] or "").strip()
        if link["year"]:
            head = f"{head} ({link['year']})".strip()
        link["short"] = {"head": full_stop(head), "title": full_stop(link["title"]),
                         "journal": full_stop(link["container_title"])}
    findings = [dict(row) for row in await db.execute(
        "select severity, code, message from findings where claim_id = ? "
        "order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, id",
        [claim_id])]
    neighbours = {}
    for name, op, order in (("previous", "<", "desc"), ("next", ">", "asc")):
        row = (await db.execute(
            f"select id, quote from claims where guide_id = ? and position {op} ? "
            f"order by position {order} limit 1",
            [claim["guide_id"], claim["position"]])).first()
        neighbours[name] = ({"id": row["id"], "quote": row["quote"],
                             "url": row_url(datasette, "claims", row["id"])}
                            if row else None)
    history = await claim_history(db, claim_id)
    # An orphan's offsets are those of its last good anchoring, in a text that
    # changed since: never shown as if its words stood there now.
    orphaned = claim["anchor"] == "orphaned"
    block = (await block_at(db, claim["guide_id"], claim["start"])
             if claim["start"] is not None and not orphaned else None)
    return {
        "claim": claim,
        "orphaned": orphaned,
        "context": None if orphaned else quote_in_context(
            claim["guide_text"], claim["start"], claim["end"], block, claim["line"]),
        "links": links,
        "findings": findings,
        "explanation": explain_basis(claim["basis"], links, claim["consensus"],
                                     bool(claim["indirect"]), bool(claim["contested"])),
        "neighbours": neighbours,
        "history": history,
        "guide_url": row_url(datasette, "guides", claim["guide_id"]),
        "section_url": claims_url(datasette, guide_id=claim["guide_id"],
                                  section_id=claim["section_id"]),
        "basis_url": claims_url(datasette, guide_id=claim["guide_id"], basis=claim["basis"]),
        "type_url": claims_url(datasette, guide_id=claim["guide_id"], type=claim["type"]),
    }


async def retired_claim_page(datasette, db, claim_id: str) -> dict | None:
    """A retired claim (``retired_claims``): its last quote, the reason, the day,
    and its history; None when no claim of that id was retired."""
    row = (await db.execute(
        "select r.id, r.guide_id, r.quote, r.reason, r.date, g.title as guide_title, "
        "g.language as guide_language from retired_claims r "
        "join guides g on g.id = r.guide_id where r.id = ?", [claim_id])).first()
    if row is None:
        return None
    return {"retired": dict(row), "history": await claim_history(db, claim_id),
            "guide_url": row_url(datasette, "guides", row["guide_id"]),
            "retired_url": row_url(datasette, "retired_claims", row["id"]),
            "retired_list_url": datasette.urls.table(DATABASE, "retired_claims")
            + "?" + urlencode({"guide_id": row["guide_id"]})}


# --- Source page -------------------------------------------------------------


def full_stop(text: str | None) -> str:
    """The text as a sentence of a reference, the way AMA punctuates: ended by a full stop,
    unless it already ends in one, a question mark or an exclamation mark."""
    text = (text or "").strip()
    if not text or text.endswith(("?", "!")):
        return text
    return text.rstrip(".") + "."


def reference_parts(source: dict, authors: list[dict]) -> dict:
    """A reference in the guide's house style (AMA), as plain-text parts.

    The bibliography module formats with CSL; this is the quick form for a
    web page, built from the database alone.
    """
    if authors:
        names = []
        for author in authors:
            names.append(f"{author['family']} {initials(author.get('given'))}".strip())
        if len(names) > 6:
            names = names[:3] + ["et al"]
        author_text = ", ".join(names)
    else:
        author_text = source.get("authors") or ""
    title = (source.get("title") or "").strip()
    journal = (source.get("container_title") or "").strip()
    where = ""
    if source.get("year"):
        where = str(source["year"])
        if source.get("volume"):
            where += f";{source['volume']}"
            if source.get("issue"):
                where += f"({source['issue']})"
        if source.get("pages"):
            # AMA prints a page range with a hyphen; the stored text has LaTeX's en dash.
            where += f":{source['pages'].replace('--', '-').replace('–', '-')}"
    return {
        "authors": full_stop(author_text),
        "title": full_stop(title),
        "journal": full_stop(journal),
        "where": where + "." if where else "",
        "doi": source.get("doi"),
    }


async def source_page(datasette, db, source_id: str) -> dict | None:
    source = (await db.execute(
        "select so.*, d.label as design_label, d.ocebm_level, "
        "d.description as design_description, t.label as tier_label, t.rank as tier_rank "
        "from sources so left join study_designs d on d.code = so.study_design "
        "left join tiers t on t.code = so.tier where so.id = ?", [source_id])).first()
    if source is None:
        return None
    source = dict(source)
    authors = [dict(row) for row in await db.execute(
        "select position, family, given, orcid from source_authors where source_id = ? "
        "order by position", [source_id])]
    updates = [dict(row) for row in await db.execute(
        "select update_type, notice_doi, updated, label, origin from source_updates "
        "where source_id = ? order by updated, id", [source_id])]
    claims = [dict(row) for row in await db.execute(
        "select c.id, c.quote, c.basis, b.label as basis_label, c.guide_id, "
        "g.title as guide_title, g.language as guide_language, "
        "s.heading as section_heading, cs.relation, cs.direct, "
        "cs.locator, cs.note "
        "from claim_sources cs join claims c on c.id = cs.claim_id "
        "join guides g on g.id = c.guide_id left join sections s on s.id = c.section_id "
        "left join bases b on b.code = c.basis "
        "where cs.source_id = ? order by g.title, c.position limit 1001", [source_id])]
    for claim in claims:
        claim["url"] = row_url(datasette, "claims", claim["id"])
    findings = [dict(row) for row in await db.execute(
        "select severity, code, message from findings where source_id = ? order by id",
        [source_id])]
    # A retraction whose reversal an editor confirmed is history: the source stands.
    retraction = ([u for u in updates if u["update_type"] in WITHDRAWING_UPDATES]
                  if source["retracted"] else [])
    tier = TIER_BY_CODE.get(source.get("tier") or "")
    return {
        "source": source,
        "authors": authors,
        "reference": reference_parts(source, authors),
        "updates": updates,
        "retracted": bool(source["retracted"]),
        "retraction": retraction,
        "claims": claims[:1000],
        "more_claims": len(claims) > 1000,
        "claims_url": (datasette.urls.table(DATABASE, "claim_sources")
                       + "?" + urlencode({"source_id": source_id})),
        "findings": findings,
        "tier_sentence": next((s for code, _, s in tier_sentences()
                               if tier and code == tier.code), None),
        "tiers": TIERS,
    }


# --- Search --------------------------------------------------------------------


def fts_prefix_query(text: str) -> str | None:
    """Words typed by a reader as an FTS5 query: every word a prefix, all required.

    'hase knæ' -> '"hase"* "knæ"*'. Quotes make any character literal, so no
    input can produce an FTS syntax error; Danish letters are word characters.
    """
    import re

    words = re.findall(r"\w+", text or "")
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


async def search_example(db) -> str | None:
    """A word to show as a search example that finds something: the beginning of the
    longest word of the first claim."""
    import re

    row = (await db.execute("select quote from claims order by guide_id, position limit 1")).first()
    if row is None:
        return None
    words = sorted(re.findall(r"\w{5,}", row[0] or ""), key=len, reverse=True)
    return words[0][:6].lower() if words else None


def folded_query(text: str) -> str | None:
    """Words typed by a reader as a query of the folded index (``claims_fold_fts``,
    ``sources_fold_fts``: evidence.database.schema): every word a prefix, folded the two
    ways the index is, either fold in either column.

    'knæ lob' -> '("knae"* OR "knae"*) AND ("lob"* OR "lob"*)': knæ finds knae, lob
    finds løb, aarsag and arsag find årsag. The index's tokenizer takes other accents
    off the query's words as it does off the text's.
    """
    import re

    from evidence.database.schema import FOLDS

    words = re.findall(r"\w+", text or "")
    if not words:
        return None
    terms = []
    for word in words:
        forms = []
        for fold in ("digraphs", "letters"):
            folded = word.lower()
            for letter, replacement in FOLDS[fold]:
                folded = folded.replace(letter, replacement)
            quoted = '"' + folded.replace('"', '""') + '"*'
            if quoted not in forms:
                forms.append(quoted)
        terms.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    return " AND ".join(terms)


MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def marked(text: str | None) -> Markup:
    """FTS highlight() output (sentinels around matches) as escaped HTML with <mark>."""
    return Markup(str(escape(text or ""))
                  .replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


async def search(datasette, db, text: str, *, limit: int = 50) -> dict:
    """Claims and sources whose words start with the reader's words, spelling forgiven
    (the folded index); the words that match exactly are highlighted."""
    query = fts_prefix_query(text)
    folded = folded_query(text)
    claims: list[dict] = []
    sources: list[dict] = []
    result: dict = {"q": text, "query": query, "claims": claims, "sources": sources,
                    "claim_count": 0, "source_count": 0}
    if not query or not folded:
        return result
    result["claim_count"] = (await db.execute(
        "select count(*) from claims_fold_fts where claims_fold_fts match ?", [folded])).first()[0]
    result["source_count"] = (await db.execute(
        "select count(*) from sources_fold_fts where sources_fold_fts match ?", [folded])).first()[0]
    for row in await db.execute(
            "select c.id, c.basis, b.label as basis_label, g.title as guide_title, "
            "g.language as guide_language, s.heading as section_heading, c.quote, h.hit "
            "from claims_fold_fts f join claims c on c.rowid = f.rowid "
            "join guides g on g.id = c.guide_id left join sections s on s.id = c.section_id "
            "left join bases b on b.code = c.basis "
            "left join (select rowid, "
            f"highlight(claims_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}') as hit "
            "from claims_fts where claims_fts match ?) h on h.rowid = c.rowid "
            "where claims_fold_fts match ? order by bm25(claims_fold_fts) limit ?",
            [query, folded, limit]):
        item = dict(row)
        item["html"] = marked(item.pop("hit") or item["quote"])
        item["url"] = row_url(datasette, "claims", item["id"])
        result["claims"].append(item)
    for row in await db.execute(
            "select so.id, so.year, so.tier, t.label as tier_label, so.retracted, "
            "so.title, so.authors as plain_authors, h.hit, h.authors "
            "from sources_fold_fts f join sources so on so.rowid = f.rowid "
            "left join tiers t on t.code = so.tier "
            "left join (select rowid, "
            f"highlight(sources_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}') as hit, "
            f"highlight(sources_fts, 2, '{MARK_OPEN}', '{MARK_CLOSE}') as authors "
            "from sources_fts where sources_fts match ?) h on h.rowid = so.rowid "
            "where sources_fold_fts match ? order by bm25(sources_fold_fts) limit ?",
            [query, folded, limit]):
        item = dict(row)
        item["html"] = marked(item.pop("hit") or item["title"] or item["id"])
        item["authors_html"] = marked(item.pop("authors") or item["plain_authors"])
        item["url"] = row_url(datasette, "sources", item["id"])
        result["sources"].append(item)
    result["claims_table_url"] = claims_url(datasette, _q=text)
    result["sources_table_url"] = (datasette.urls.table(DATABASE, "sources") + "?"
                                   + urlencode({"_q": text}))
    return result
