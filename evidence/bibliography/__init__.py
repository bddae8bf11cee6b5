"""Bibliographies: which sources, in which order, formatted in which CSL style and format."""
