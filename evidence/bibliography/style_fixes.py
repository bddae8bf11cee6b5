"""What pandoc's citeproc reads differently from citeproc-js and citeproc-py, and
the copy of a style that makes it print what they print (DESIGN §8, §16).

A ``<names>`` element with a ``<label>`` and no ``<name>`` is common in the
styles of the CSL repository (AMA's editor macro:
``<names variable="editor"><label form="short" prefix=", "/></names>``). CSL
places a label by its position relative to ``<name>``; with no ``<name>``,
citeproc-js and citeproc-py put it after the names ("Kahana MJ, Wagner AD,
eds."), pandoc 3 before them ("In, eds.Kahana MJ, Wagner AD", and for an
edited book, whose editors stand in for the author through ``<substitute>``,
", eds.Kahana MJ"). An empty ``<name/>`` before the label changes nothing
else: it inherits the name options of the style and the bibliography as the
implicit one does, and the ``<names>`` of a ``<substitute>`` inherit it as
they inherit the label.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NAMES, _NAME, _LABEL = (f"{{{CSL_NS}}}{tag}" for tag in ("names", "name", "label"))


class StyleFixError(ValueError):
    """A style that is not well-formed XML."""


def fix_for_pandoc(text: str) -> str | None:
    """The style's text with what pandoc reads differently made explicit, or
    None when the style needs no change (then pandoc gets the file as it is)."""
    ET.register_namespace("", CSL_NS)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise StyleFixError(str(exc)) from None
    changed = 0
    for names in root.iter(_NAMES):
        children = list(names)
        tags = [child.tag for child in children]
        if _LABEL in tags and _NAME not in tags:
            name = ET.Element(_NAME)
            names.insert(tags.index(_LABEL), name)
            changed += 1
    if not changed:
        return None
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
