"""``python -m evidence``: the command line, as the ``evidence`` script runs it
(``serve --watch`` runs its builds so, with the Python that serves)."""

from evidence.cli import cli

cli(prog_name="evidence")
