"""Sources coming into references.bib without a DOI lookup: a reference manager's
export (``evidence add --from FILE``) and a guide's printed list (``--from-guide``
when Crossref cannot be reached, or with ``--offline``)."""
