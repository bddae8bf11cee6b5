"""A guide's printed reference list as entries: what ``add --from-guide`` writes
when Crossref cannot be reached (or with ``--offline``).

Authors, title, journal, year, volume, issue, pages and DOI as printed; ``et
al.`` is ``and others``; ``metadatasource = {printed YYYY-MM-DD}``, so `evidence
resolve` takes the entry for one not yet from Crossref and upgrades it, keeping
its citekey. No ``studydesign``: an editor grades the source (the check reports
it as ``source-no-study-design`` until then).
"""

from __future__ import annotations

import re

from evidence.bib.printed import PrintedAuthor, PrintedCitation
from evidence.crossref.mapping import bibtex_text
from evidence.intake.formats.entry import IncomingEntry

_DASH = re.compile(r"\s*(?:-{1,2}|[\u2010-\u2014\u2212])\s*")


def metadatasource_printed(today: str) -> str:
    return f"printed {today}"


def printed_entry(citation: PrintedCitation, today: str) -> IncomingEntry:
    fields: dict[str, str] = {}
    if citation.authors:
        names = [_name(a) for a in citation.authors]
        if citation.et_al:
            names.append("others")
        fields["author"] = " and ".join(names)
    for name, value in (("title", citation.title), ("journal", citation.journal),
                        ("year", citation.year), ("volume", citation.volume),
                        ("number", citation.issue)):
        if value:
            fields[name] = bibtex_text(value)
    if citation.pages:
        fields["pages"] = bibtex_text(_DASH.sub("--", citation.pages.strip()))
    if citation.doi:
        fields["doi"] = citation.doi
    fields["metadatasource"] = metadatasource_printed(today)
    return IncomingEntry("article" if citation.journal else "misc", None, fields,
                         f"citation {citation.number} (line {citation.line})", line=citation.line)


def _name(author: PrintedAuthor) -> str:
    """``Sederberg M`` as ``Sederberg, M.``, ``Dalmau-Pastor MA`` as ``Dalmau-Pastor, M. A.``;
    an author printed without initials is an organisation, kept whole in braces."""
    family = bibtex_text(author.family)
    if not author.initials:
        return "{" + family + "}"
    given = " ".join(f"{part}." for part in re.findall(r"[A-Z](?:-[A-Z])?", author.initials))
    given = given.replace("-", ".-")  # J-P → J.-P.
    if "," in family or re.search(r"\band\b", family, re.IGNORECASE):
        family = "{" + family + "}"
    return f"{family}, {given}"
