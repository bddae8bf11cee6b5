"""The lookups of DESIGN §6, a client each behind shared parts: Crossref (``client``,
``cache``, ``mapping``, ``resolve``), PubMed E-utilities (``pubmed``, ``pubmed_mapping``,
``pubmed_cache``, ``pubtypes``: DESIGN §13), with ``errors``, ``limits`` (rate limits)
and ``retry`` (the retry policy, run by tenacity) for every client."""
