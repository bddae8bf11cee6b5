"""CSL rich text (the small HTML subset CSL processors read in strings) as plain text.

Apart from :mod:`evidence.bib.csl` so that readers of stored CSL-JSON (the
publication's RIS and BibTeX exports) need no LaTeX or BibTeX parser.
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^<>]*)?>")


def strip_markup(value: str) -> str:
    """CSL rich text as plain text: the markup tags removed."""
    return " ".join(MARKUP.sub("", value).split())
