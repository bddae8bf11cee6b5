"""The lookups of DESIGN §6, a client each behind shared parts: Crossref (``client``,
``cache``, ``mapping``, ``resolve``), with ``errors``, ``limits`` (header-driven rate
limits) and ``retry`` (the retry policy, run by tenacity) for every client."""
