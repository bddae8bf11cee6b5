"""A guide's numbering of its sources, from the project (DESIGN §8).

Its printed reference list matched against references.bib, then first
citation (:mod:`evidence.bibliography.order` holds the rule, on plain maps):
what the build stores for every guide (``guide_references``) and what
``evidence bibliography`` prints. Apart from :mod:`evidence.bibliography.make`,
which also formats, so that the build imports none of the formatting.
"""

from __future__ import annotations

from evidence.bibliography.order import CITED_RELATIONS, match_printed_references, numbering


class PrintedLookup:
    """What a printed reference list is matched against: each source's key by
    DOI and its title. Built once for references.bib, then used for every guide
    (built per guide, it made the build's cost guides x sources)."""

    def __init__(self, references) -> None:
        self.dois = references.doi_index()
        self.titles = {s.key: s.text("title") for s in references}


def printed_reference_keys(guide, references, lookup: PrintedLookup | None = None
                           ) -> list[str] | None:
    """The citekeys of the guide's printed reference list (Kilder), in printed order.

    ``guide`` is an :class:`evidence.guide.document.Guide`. An item is matched to a
    source by a DOI it carries, else by containing the source's exact title
    (``lookup``, made from ``references`` when not given). None when the guide
    has no such section or none of its items match.
    """
    from evidence.guide.reference_list import reference_section  # guide.md's parser: not
    # imported by a bibliography of citekeys or --all, which reads no guide

    if reference_section(guide) is None:
        return None  # most guides: no need to index references.bib
    lookup = lookup or PrintedLookup(references)
    return match_printed_references(guide, lookup.dois, lookup.titles)


def guide_order(data, references, lookup: PrintedLookup | None = None,
                printed: list[str] | None = None) -> list[str]:
    """The guide's numbering of its sources (see the module's docstring).

    ``data`` is a :class:`evidence.project.GuideData`. Every source the
    guide's claims link (any relation) gets a place. ``printed``: the guide's
    printed keys when the caller has them already.
    """
    if printed is None:
        printed = printed_reference_keys(data.guide, references, lookup)
    return numbering(printed, (link.source for claim in data.claims_in_order()
                               for link in claim.evidence))


def guide_bibliography(data, references, lookup: PrintedLookup | None = None
                       ) -> list[tuple[str, bool]]:
    """A whole guide's bibliography in its numbering: (citekey, printed) pairs.

    The sources its claims link as ``supports`` or ``mentions`` and those of
    its printed reference list, numbered printed list first, then first
    citation; ``printed`` tells which came from the list. Stored by the build
    (``guide_references``) so the publication numbers as this command does.
    """
    printed = printed_reference_keys(data.guide, references, lookup) or []
    wanted = linked_sources(data.claims, CITED_RELATIONS) | set(printed)
    in_list = set(printed)
    order = guide_order(data, references, printed=printed or None)
    return [(key, key in in_list) for key in order if key in wanted]


def linked_sources(claims, relations) -> set[str]:
    return {link.source for claim in claims for link in claim.evidence
            if relations is None or link.relation in relations}
