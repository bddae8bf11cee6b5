"""`evidence serve` as the editor runs it: a real server process on 127.0.0.1
that follows rebuilds made by another process, and `serve --watch`.

The waits are bounded (a deadline, polled), never timed: a loaded machine
only makes them take longer.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.host.test_follow import NEW_CLAIM, add_claim
from tests.host.test_package import free_port

DEADLINE = 60.0  # seconds; what "within seconds" may take on a loaded machine


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None  # not up yet


def wait_for(url: str, expected: int, log: Path, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while (got := status(url)) != expected:
        if time.monotonic() > deadline:
            pytest.fail(f"{url} answered {got}, not {expected}, within {timeout:g} s; "
                        f"server log:\n{log.read_text(encoding='utf-8')[-4000:]}")
        time.sleep(0.2)


def wait_for_text(log: Path, text: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(encoding="utf-8"):
        if time.monotonic() > deadline:
            pytest.fail(f"{text!r} not in the server's output within {timeout:g} s:\n"
                        f"{log.read_text(encoding='utf-8')[-4000:]}")
        time.sleep(0.2)


def evidence(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evidence", *args], capture_output=True,
                          text=True, timeout=300)


@contextmanager
def server(project: Path, *args: str) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = project.parent / f"serve-{port}.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "evidence", "serve", "--project", str(project),
             "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/evidence/claims/t-loading", 200, log)
        yield base, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def claim_count(base: str) -> int:
    # the claims table's count: public mode takes it from the inspect data
    with urllib.request.urlopen(f"{base}/evidence/claims.json?_size=1", timeout=10) as response:
        return json.load(response)["filtered_table_rows_count"]


@pytest.mark.parametrize("mode", [[], ["--public"]], ids=["local", "public"])
def test_serve_shows_a_claim_added_by_a_separate_build(project, mode):
    with server(project, *mode) as (base, log):
        assert status(f"{base}/evidence/claims/t-massage") == 404
        assert claim_count(base) == 2
        add_claim(project)
        built = evidence("build", "--project", str(project))
        assert built.returncode == 0, built.stderr
        assert "3 claims" in built.stdout
        wait_for(f"{base}/evidence/claims/t-massage", 200, log)
        assert claim_count(base) == 3  # the counts of public mode's inspect data too


def test_serve_watch_rebuilds_on_an_edit_of_claims_yaml_alone(project):
    with server(project, "--watch") as (base, log):
        assert status(f"{base}/evidence/claims/t-massage") == 404
        add_claim(project)  # no build: the server's watch builds
        wait_for(f"{base}/evidence/claims/t-massage", 200, log)
        assert "claims/testguide/claims.yaml changed" in log.read_text(encoding="utf-8")


def test_serve_watch_shows_each_edit_of_a_claim_on_its_page(project):
    """The editor's loop: each save of claims.yaml is built (by the one warm
    build worker, build after build) and the claim page shows it."""
    claims = project / "claims" / "testguide" / "claims.yaml"
    original = claims.read_text(encoding="utf-8")
    assert original.endswith("        relation: supports\n")  # t-loading is the last claim
    with server(project, "--watch") as (base, log):
        for note in ("First look at the trial.", "Second look: it holds."):
            claims.write_text(original + f"    review:\n      status: unreviewed\n"
                                         f"      note: \"{note}\"\n", encoding="utf-8")
            deadline = time.monotonic() + DEADLINE
            while note not in urllib.request.urlopen(
                    f"{base}/evidence/claims/t-loading", timeout=10).read().decode("utf-8"):
                if time.monotonic() > deadline:
                    pytest.fail(f"{note!r} not served within {DEADLINE:g} s:\n"
                                f"{log.read_text(encoding='utf-8')[-4000:]}")
                time.sleep(0.1)
    output = log.read_text(encoding="utf-8")
    assert output.count("claims/testguide/claims.yaml changed: building evidence.db") >= 2
    assert "Traceback" not in output


def test_serve_watch_reports_a_failed_build_and_keeps_the_last_good_database(project):
    with server(project, "--watch") as (base, log):
        bib = project / "references.bib"
        good = bib.read_bytes()
        add_claim(project)
        bib.write_bytes(good + b"\n\xff not UTF-8\n")  # unreadable: the whole build fails
        # The build's own message, naming the file and line, in the terminal.
        wait_for_text(log, "not UTF-8 text (byte 0xff cannot be read)")
        wait_for_text(log, "still serving the last good evidence.db")
        assert status(f"{base}/evidence/claims/t-loading") == 200
        assert status(f"{base}/evidence/claims/t-massage") == 404
        # Fixed: the next save is built and served.
        bib.write_bytes(good)
        wait_for(f"{base}/evidence/claims/t-massage", 200, log)


def test_serve_watch_serves_what_a_build_with_problems_built(project):
    """A problem takes down only what it concerns: the claim is built without its bad type."""
    with server(project, "--watch") as (base, log):
        add_claim(project, "  - id: t-broken\n    quote: \"Massage hjælper kortvarigt.\"\n"
                           "    type: no-such-type\n")
        wait_for_text(log, "claims.yaml:18: t-broken: unknown claim type 'no-such-type'")
        wait_for_text(log, "Built evidence.db around the problems above")
        wait_for(f"{base}/evidence/claims/t-broken", 200, log)
        assert status(f"{base}/evidence/claims/t-loading") == 200


def test_serve_watch_follows_references_bib_replaced_by_a_rename(project):
    """references.bib is rewritten by renames (`evidence resolve`, editors):
    the watch must see every one, not only the first."""
    bib = project / "references.bib"
    with server(project, "--watch") as (base, log):
        for title in ("First new title", "Second new title"):
            text = bib.read_text(encoding="utf-8")
            text = text.replace(text.split("title = {", 1)[1].split("},", 1)[0], title, 1)
            replacement = project / "references.bib.new"
            replacement.write_text(text, encoding="utf-8")
            replacement.replace(bib)
            deadline = time.monotonic() + DEADLINE
            while title not in urllib.request.urlopen(
                    f"{base}/evidence/sources/smith2020", timeout=10).read().decode("utf-8"):
                if time.monotonic() > deadline:
                    pytest.fail(f"{title!r} not served within {DEADLINE:g} s:\n"
                                f"{log.read_text(encoding='utf-8')[-4000:]}")
                time.sleep(0.2)


def test_serve_watch_with_nothing_to_serve_says_so(tmp_path):
    from tests.conftest import write_project

    project = write_project(tmp_path, claims=NEW_CLAIM.replace("  - id", "claims:\n  - id"))
    bib = project / "references.bib"
    bib.write_bytes(bib.read_bytes() + b"\n\xff not UTF-8\n")  # no build can be made
    result = subprocess.run(
        [sys.executable, "-m", "evidence", "serve", "--project", str(project), "--port",
         str(free_port()), "--watch"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "not UTF-8 text (byte 0xff cannot be read)" in result.stderr
    assert "could not be built, so there is nothing to serve" in result.stderr


def test_serve_public_with_a_base_url_writes_its_absolute_links_from_it(project):
    with server(project, "--public", "--base-url", "https://evidence.example.org/") as (base, _):
        request = urllib.request.Request(f"{base}/evidence/claims.json?_size=1",
                                         headers={"Host": "evil.example"})
        with urllib.request.urlopen(request, timeout=10) as response:
            next_url = json.load(response)["next_url"]
    assert next_url.startswith("https://evidence.example.org/evidence/claims.json?")
