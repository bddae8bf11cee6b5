"""The editor's desk: verdicts, links, re-anchoring and retiring from the browser.

A Datasette plugin of its own, registered by ``evidence serve`` in local mode
only and never as an entry point, so a package installed on a public host
cannot load it; the publication never imports it (an import-linter contract
in pyproject.toml). Its actions call the same library functions as the CLI
verbs. The desk itself is issue "The editor's desk in the browser".
"""
