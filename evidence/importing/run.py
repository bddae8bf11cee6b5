"""``evidence import``: a new guide folder from a document, with claim stubs."""

from __future__ import annotations

import re
from pathlib import Path

from evidence.atomic import atomic_write_text
from evidence.bib.references import load_references
from evidence.errors import EvidenceError
from evidence.guide.document import parse_guide
from evidence.importing.claimsfile import claims_file
from evidence.importing.guidefile import read_input, recognised
from evidence.importing.ids import project_ids
from evidence.importing.report import ImportReport, Note
from evidence.importing.stubs import make_stubs, printed_sources
from evidence.language import DEFAULT_LANGUAGE, guess_language, lexicon

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")


def import_guide(project: Path, source: Path, slug: str, *, title: str | None = None,
                 language: str | None = None) -> ImportReport:
    """Write claims/SLUG/guide.md from ``source`` and claims.yaml with its stubs.

    Refuses when the guide folder already holds either file: an import never
    writes over a guide."""
    project, source = Path(project), Path(source)
    if not SLUG.match(slug):
        raise EvidenceError(f"--guide {slug!r}: a guide's name is its folder name: lower-case "
                            "letters, digits and hyphens (distal-hasetendinopati)")
    folder = project / "claims" / slug
    guide_path, claims_path = folder / "guide.md", folder / "claims.yaml"
    for existing in (guide_path, claims_path):
        if existing.exists():
            raise EvidenceError(f"{existing} exists: import never writes over a guide; give "
                                "another --guide, or use `evidence draft` to add stubs to it")
    language_given = language is not None
    text = read_input(source)
    if not text.markdown.strip():
        raise EvidenceError(f"{source}: no text to import")
    title = title or text.title or slug.replace("-", " ").capitalize()
    guessed = None if language else guess_language(text.source_text)
    language = language or guessed or DEFAULT_LANGUAGE
    guide = parse_guide(slug, text.markdown, guide_path, title)
    counts, notes = recognised(guide)
    references = load_references(project / "references.bib")
    sources = printed_sources(guide, references)
    notes = text.notes + notes
    if not guessed and not language_given:
        notes.append(Note(f"the text is too short to tell its language: {language!r} was "
                          "assumed (give --language, or set `language:` in claims.yaml)"))
    stubs = make_stubs(guide, lexicon(language), taken=project_ids(project),
                       sources=sources, notes=notes)
    yaml_text = claims_file(title, language, source.name, stubs)
    atomic_write_text(guide_path, text.markdown)
    try:
        atomic_write_text(claims_path, yaml_text)
    except BaseException:
        guide_path.unlink(missing_ok=True)  # no half-imported guide
        raise
    return ImportReport(slug, str(guide_path), str(claims_path), counts, len(stubs),
                        sum(1 for s in stubs if s.named), notes)
