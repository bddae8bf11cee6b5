"""``python -m evidence``: the command line, as the ``evidence`` script runs it
(``serve --watch`` runs its builds so, with the Python that serves)."""

import sys

from evidence.bibliography import early


def main() -> None:
    """The command line; a repeated bibliography's pandoc starts first of all
    (evidence.bibliography.early), before click and the CLI are imported."""
    early.start(sys.argv)
    from evidence.cli import cli

    cli(prog_name="evidence")


if __name__ == "__main__":
    main()
