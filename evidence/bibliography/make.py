"""Bibliographies: which sources, in which order, formatted how (DESIGN §8).

This module works on the project (references.bib and the claims files): it
selects sources and renders them, for the ``evidence bibliography`` command.
The formatting engine (pandoc citeproc, on CSL-JSON) is
:mod:`evidence.bibliography.formatting`; the guide's numbering (its printed
Kilder list, then first citation) is :mod:`evidence.bibliography.numbering`
(the rule: :mod:`evidence.bibliography.order`); the
exports are :mod:`evidence.bibliography.export` (CSL-JSON, RIS) and
:mod:`evidence.bibliography.bibtex_export` (BibTeX as written).

**Selection.** A guide, a section or claims select the sources their claims
link as ``supports`` or ``mentions`` (with ``include_all``: every relation);
for a whole guide the printed reference list is included too. Citekeys are
taken as given; with nothing else selected, ``include_all`` means every
source of references.bib, in file order. A section's or a claim's list keeps
the guide's relative order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.bibliography import early
from evidence.bibliography.formatting import (
    STYLED_FORMATS,
    Bibliography,
    Citeproc,
    PandocFailed,
    PandocTimedOut,
    bibliography_locale,
    format_items,
    formatted_entries,
    normalise_format,
)
from evidence.bibliography.numbering import guide_order, linked_sources, printed_reference_keys
from evidence.bibliography.order import CITED_RELATIONS
from evidence.bibliography.styles import DEFAULT_STYLE, resolve_style
from evidence.errors import EvidenceError
from evidence.perf import collector_paused

if TYPE_CHECKING:
    from evidence.bib.references import References
    from evidence.bibliography.csl_cache import CachedReferences


class SelectionError(EvidenceError):
    """A selection that names no guide, section, claim or source we know."""


# --- selection and order --------------------------------------------------------

@dataclass
class Selection:
    keys: list[str]
    style: str  # the default style for this selection
    guide_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    language: str | None = None  # the guide's (claims.yaml guide.language)


def _claims_by_id(project, claims, data):
    """The named claims and the guide they belong to (all in one guide)."""
    by_id = {c.id: (g, c) for g in project.guides for c in g.claims}
    chosen = []
    for claim_id in claims:
        if claim_id not in by_id:
            import difflib

            close = difflib.get_close_matches(claim_id, list(by_id), n=3)
            raise SelectionError(f"no claim {claim_id!r}"
                                 + (f" (did you mean: {', '.join(close)}?)" if close else ""))
        owner, claim = by_id[claim_id]
        if data is not None and owner.id != data.id:
            raise SelectionError(f"claim {claim_id!r} belongs to guide {owner.id!r}, "
                                 f"not {data.id!r}")
        data = owner
        chosen.append(claim)
    return data, chosen


def _section_claims(project, section: str, data, warnings: list[str]):
    """The guide holding ``section`` and the claims anchored in it."""
    candidates = [data] if data is not None else project.guides
    found = [(g, s) for g in candidates for s in [g.guide.find_section(section)] if s]
    if not found:
        headings = [s.heading for g in candidates for s in g.guide.sections]
        raise SelectionError(f"no section {section!r}"
                             + (f" (sections: {'; '.join(headings)})" if headings else ""))
    if len(found) > 1:
        raise SelectionError(f"section {section!r} is in several guides "
                             f"({', '.join(g.id for g, _ in found)}): add --guide")
    data, wanted = found[0]
    unanchored = [c.id for c in data.claims if c.id not in data.anchors]
    if unanchored:
        warnings.append(f"{len(unanchored)} claim(s) of {data.id} do not anchor in "
                        f"guide.md and are left out: {', '.join(unanchored[:5])}")
    return data, [c for c in data.claims
                  if c.id in data.anchors and data.anchors[c.id].section.id == wanted.id]


def _select_keys(references, keys) -> Selection:
    missing = [k for k in keys if k not in references]
    if missing:
        raise SelectionError(_unknown_keys(missing, references))
    return Selection(list(dict.fromkeys(keys)), DEFAULT_STYLE)


def select(project, *, guide: str | None = None, section: str | None = None,
           claims: tuple[str, ...] | list[str] = (), keys: tuple[str, ...] | list[str] = (),
           include_all: bool = False) -> Selection:
    """The sources a bibliography shows, in the guide's order (see the docstring)."""
    references = project.references
    relations = None if include_all else CITED_RELATIONS
    warnings: list[str] = []
    if keys and (guide or section or claims):
        raise SelectionError("give citekeys or a guide/section/claim, not both")
    if keys:
        return _select_keys(references, keys)
    if not (guide or section or claims):
        if include_all:
            return Selection([s.key for s in references], DEFAULT_STYLE)
        raise SelectionError("nothing selected: give --guide, --section, --claim, --key "
                             "or --all")

    data = project.guide(guide) if guide else None
    chosen_claims = []
    if claims:
        data, chosen_claims = _claims_by_id(project, claims, data)
    if section:
        data, in_section = _section_claims(project, section, data, warnings)
        chosen_claims.extend(c for c in in_section if c not in chosen_claims)

    assert data is not None
    style = _project_style(project.root, data.claims_file.meta.style)
    order = guide_order(data, references)
    if chosen_claims:
        wanted_keys = linked_sources(chosen_claims, relations)
    else:  # the whole guide
        wanted_keys = linked_sources(data.claims, relations)
        wanted_keys |= set(printed_reference_keys(data.guide, references) or [])
    missing = sorted(k for k in wanted_keys if k not in references)
    if missing:
        raise SelectionError(_unknown_keys(missing, references))
    selected = [k for k in order if k in wanted_keys]
    return Selection(selected, style, data.id, warnings, data.claims_file.meta.language)


def _project_style(root, style: str | None) -> str:
    """A guide's style: a name, or a .csl path relative to the project (the
    loader refuses one that leads outside it)."""
    if not style:
        return DEFAULT_STYLE
    if style.endswith(".csl") or "/" in style or os.sep in style:
        return str(Path(root) / style)
    return style


def _unknown_keys(missing: list[str], references) -> str:
    import difflib

    parts = []
    for key in missing:
        close = difflib.get_close_matches(key, [s.key for s in references], n=1)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return "unknown citekey " + ", ".join(parts) + " in references.bib"


@dataclass
class _ReferencesOnly:
    """What :func:`select` reads of a project for citekeys or ``--all``."""

    references: References | CachedReferences


def _references_file(root: Path) -> tuple[Path, bytes] | None:
    """references.bib's path and bytes when it is the file itself, through no link
    (else None: :func:`evidence.project.load_project` gives its message)."""
    path = root / "references.bib"
    if path.is_file() and path.resolve() == root.resolve() / "references.bib":
        return path, path.read_bytes()
    return None


def _parse_references(path: Path, data: bytes) -> References:
    """references.bib's bytes as :func:`evidence.bib.references.load_references`
    reads the file (validation aside)."""
    from evidence.bib.references import parse_references
    from evidence.errors import decode_utf8

    return parse_references(decode_utf8(data, path, code="bibtex-invalid",
                                        keep_newlines=True), path)


def _load_references_only(root: Path) -> References:
    """references.bib as :func:`evidence.project.load_project` reads it, without
    the guides: a bibliography of citekeys reads no claims.yaml or guide.md."""
    found = _references_file(root)
    if found is not None:
        return _parse_references(*found)
    from evidence.project import load_project

    return load_project(root, strict=False).references  # its message, its rule on links


# --- one call from selection to text --------------------------------------------

def render(references, keys: list[str], fmt: str, style: str | os.PathLike | None = None,
           locale: str | None = None, language: str | None = None) -> str:
    """The selected sources in one output format, as text."""
    fmt = normalise_format(fmt)
    sources = [references.get(k) for k in keys]
    if fmt == "bibtex":
        from evidence.bibliography import bibtex_export

        return bibtex_export.to_bibtex(sources, references)
    from evidence.bib.csl import source_to_csl

    return render_items([source_to_csl(s) for s in sources], fmt, style, locale, language)


def render_items(items: list[dict], fmt: str, style: str | os.PathLike | None = None,
                 locale: str | None = None, language: str | None = None) -> str:
    """CSL-JSON items in one output format other than BibTeX, as text."""
    fmt = normalise_format(fmt)
    if fmt in ("csl-json", "ris"):
        from evidence.bibliography import export

        return export.to_csl_json(items) if fmt == "csl-json" else export.to_ris(items)
    chosen = resolve_style(style or DEFAULT_STYLE)
    return format_items(items, chosen, bibliography_locale(chosen, locale, language)).render(fmt)


def make(root, *, guide: str | None = None, section: str | None = None,
         claims=(), keys=(), include_all: bool = False, style: str | None = None,
         locale: str | None = None, fmt: str = "text") -> tuple[str, Selection]:
    """Load the project at ``root``, select, and render: what the CLI prints."""
    fmt = normalise_format(fmt)
    # Loading, converting and reading pandoc's answer make many objects and no
    # garbage cycles: without the pause the collector walked them again and
    # again (a fifth of the command's own time at 1,000 entries).
    with collector_paused():
        if guide or section or claims:
            from evidence.project import load_project

            return _make(load_project(root, strict=False), guide=guide, section=section,
                         claims=claims, keys=keys, include_all=include_all, style=style,
                         locale=locale, fmt=fmt)
        # citekeys, or all of references.bib: no guide needs reading
        found = _references_file(Path(root))
        if found is None:
            return _make(_ReferencesOnly(_load_references_only(Path(root))), keys=keys,
                         include_all=include_all, style=style, locale=locale, fmt=fmt)
        return _make_from_references_bib(*found, keys=keys, include_all=include_all,
                                         style=style, locale=locale, fmt=fmt)


def _make_from_references_bib(path: Path, data: bytes, *, keys, include_all: bool,
                              style: str | None, locale: str | None,
                              fmt: str) -> tuple[str, Selection]:
    """A bibliography of citekeys or of --all: from the CSL-JSON kept for these
    bytes of references.bib when it has every item (:mod:`csl_cache`), else
    parsed and converted, the items then kept."""
    from evidence.bibliography import csl_cache

    if fmt == "bibtex":  # BibTeX as written needs the entries themselves
        return _make(_ReferencesOnly(_parse_references(path, data)), keys=keys,
                     include_all=include_all, style=style, locale=locale, fmt=fmt)
    every_item_styled = include_all and not keys and fmt in STYLED_FORMATS
    if every_item_styled:
        done = _all_from_kept_files(path, data, style=style, locale=locale, fmt=fmt)
        if done is not None:
            return done
    cached = csl_cache.load(path, data)
    if cached is not None:
        selection = _selection(_ReferencesOnly(cached), keys=keys, include_all=include_all)
        if cached.has_items(selection.keys):
            text = render_items([cached.items[k] for k in selection.keys], fmt,
                                style or selection.style, locale, selection.language)
            return text, selection
    references = _parse_references(path, data)
    converted: dict[str, dict] = {}
    text, selection = _make(_ReferencesOnly(references), keys=keys, include_all=include_all,
                            style=style, locale=locale, fmt=fmt, converted=converted)
    # Only reached without a failed block (_make stops at one).
    stored = csl_cache.store(path, data, [s.key for s in references], converted, cached)
    if stored is not None and every_item_styled:
        csl_cache.keep_for_pandoc(stored)  # for the next run
    return text, selection


def _all_from_kept_files(path: Path, data: bytes, *, style: str | None, locale: str | None,
                         fmt: str) -> tuple[str, Selection] | None:
    """Every item of references.bib formatted from the kept files (csl_cache), the
    pandoc file written first if the kept items lack it; None without kept items."""
    from evidence.bibliography import csl_cache

    kept = csl_cache.for_pandoc(data)
    if kept is not None:
        try:
            done = _format_all_kept(path, data, kept, style=style, locale=locale, fmt=fmt)
        except PandocTimedOut:
            raise
        except PandocFailed:
            # A pandoc file damaged since it was kept must not stop every later run:
            # it is made again from the kept items, and a failure then is pandoc's.
            kept.unlink(missing_ok=True)
            done = None
        if done is not None:
            return done
    cached = csl_cache.load(path, data)
    kept = csl_cache.keep_for_pandoc(cached) if cached is not None else None
    if kept is None:
        return None
    return _format_all_kept(path, data, kept, style=style, locale=locale, fmt=fmt)


def _format_all_kept(path: Path, data: bytes, kept: Path, *, style: str | None,
                     locale: str | None, fmt: str) -> tuple[str, Selection] | None:
    """Every item of references.bib formatted from the kept pandoc file ``kept``
    (csl_cache.for_pandoc): pandoc is started first and formats while the kept
    citekeys are read. None when the kept items are gone meanwhile (pruned)."""
    from evidence.bibliography.csl_cache import load

    chosen = resolve_style(style or DEFAULT_STYLE)
    locale = bibliography_locale(chosen, locale, None)
    with Citeproc(kept, chosen, locale) as run:
        cached = load(path, data, with_items=False)
        if cached is None:
            return None
        selection = _selection(_ReferencesOnly(cached), include_all=True)
        run.count = len(selection.keys)
        bibliography = Bibliography(formatted_entries(run.document()), chosen, locale)
    early.remember(run.args, path, [kept, chosen.path])
    return bibliography.render(fmt), selection


def _selection(project, *, guide=None, section=None, claims=(), keys=(),
               include_all=False) -> Selection:
    selection = select(project, guide=guide, section=section, claims=tuple(claims),
                       keys=tuple(keys), include_all=include_all)
    if not selection.keys:
        selection.warnings.append("no sources selected")
    return selection


def _make(project, *, guide=None, section=None, claims=(), keys=(), include_all=False,
          style=None, locale=None, fmt="text",
          converted: dict[str, dict] | None = None) -> tuple[str, Selection]:
    """Select from the loaded project and render; with ``converted``, the CSL-JSON
    items made are put there too."""
    from evidence.bib.references import _failed_block_problem
    from evidence.errors import raise_if

    references = project.references
    # A half-edited claim elsewhere need not stop a bibliography, but an
    # entry references.bib could not parse would silently go missing.
    raise_if([_failed_block_problem(references.path, block)
              for block in references.library.failed_blocks])
    selection = _selection(project, guide=guide, section=section, claims=claims, keys=keys,
                           include_all=include_all)
    style = style or selection.style
    if converted is None or fmt == "bibtex":
        return render(references, selection.keys, fmt, style, locale,
                      selection.language), selection
    from evidence.bib.csl import source_to_csl

    items = [source_to_csl(references.get(k)) for k in selection.keys]
    converted.update(zip(selection.keys, items, strict=True))
    return render_items(items, fmt, style, locale, selection.language), selection
