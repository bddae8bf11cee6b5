"""The ``evidence`` command line (DESIGN §5)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import EvidenceError, InputError


def reports_errors(func):
    """Turn the project's errors into a clear message and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            count = len(exc.problems)
            for problem in exc.problems:
                click.secho("error: ", fg="red", bold=True, err=True, nl=False)
                click.echo(str(problem), err=True)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed.",
                       err=True)
            sys.exit(1)
        except EvidenceError as exc:
            click.secho("error: ", fg="red", bold=True, err=True, nl=False)
            click.echo(str(exc), err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; files on disk are as they were before or fully updated.",
                       err=True)
            sys.exit(130)

    return wrapper


project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    default=".", show_default=True,
    help="The project folder holding references.bib and claims/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evidence")
def cli():
    """An evidence and citation database for health guides.

    Claims live in claims/<guide>/claims.yaml, sources in references.bib;
    `evidence build` turns them into evidence.db, `evidence serve` publishes it.
    """
