"""Faults while resolving: a flaky Crossref, a killed resolver, a damaged cache.

The Crossref double is the one the resolver's own tests use
(tests/crossref_support.FakeCrossref), with faults injected in front of it:
for a fifth of all requests it answers 429 (with and without Retry-After),
503/502/504, hangs past the client's time-out, or drops the connection
without an answer or half-way through the body.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from evidence.bib.references import load_references
from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import CrossrefClient
from evidence.crossref.resolve import add_dois, resolve_references, select_entries
from evidence.crossref.retry import RetryPolicy
from tests.crossref.test_crossref_resolve import (
    assert_each_entry_before_or_after,
    bulk_bib,
    serve_bulk,
)
from tests.crossref_support import FakeCrossref, Seen

TODAY = "2026-11-28"
FAULTS = ("429", "429-retry-after", "503", "502", "504", "timeout", "drop", "cut")
# The client's time-out; a "timeout" fault hangs longer. Long enough that a loaded
# machine (a load of 5 on 2 cores, seen here) never times out an answer that was sent.
TIMEOUT = 1.5


class FaultyCrossref(FakeCrossref):
    """FakeCrossref that fails a share of all requests, at random."""

    def __init__(self, *, fault_rate: float = 0.2, seed: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.fault_rate = fault_rate
        self.rng = random.Random(seed)
        self.faults: Counter[str] = Counter()
        self.served: Counter[str] = Counter()  # 200s per DOI

    def _handle(self, handler) -> None:
        with self._lock:
            fault = self.rng.choice(FAULTS) if self.rng.random() < self.fault_rate else None
            if fault:
                self.faults[fault] += 1
        if fault is None:
            doi = handler.path.split("/works/", 1)[-1].lower()
            super()._handle(handler)
            with self._lock:
                self.served[doi] += 1
            return
        with self._lock:
            self.requests.append(Seen(handler.path, "", time.monotonic(), ""))
        try:
            if fault == "drop":  # no answer at all
                handler.close_connection = True
                return
            if fault == "timeout":  # no answer before the client gives up
                time.sleep(TIMEOUT * 2)
                handler.close_connection = True
                return
            if fault == "cut":  # headers, then half a body, then the connection is gone
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", "5000")
                handler.end_headers()
                handler.wfile.write(b'{"status": "ok", "message": {"DOI": "10.')
                handler.wfile.flush()
                handler.close_connection = True
                return
            status = int(fault[:3])
            handler.send_response(status)
            if fault == "429-retry-after":
                handler.send_header("Retry-After", "0")
            body = b"Too busy, try again"
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def client(fake: FakeCrossref, cache: Path) -> CrossrefClient:
    # Tiny back-off so that 1,000 DOIs with a fifth of requests failing stay
    # within seconds; 8 attempts make a DOI failing every one (0.2^8) unlikely.
    retry = RetryPolicy(attempts=8, base_delay=0.005, max_delay=0.02, max_retry_after=1)
    return CrossrefClient(fake.url, "tests@example.org", retry=retry, timeout=TIMEOUT,
                          cache=ResponseCache(cache))


def work(doi: str, number: int) -> dict:
    from tests.crossref_support import fixture

    return {**fixture("article_orcid"), "DOI": doi, "title": [f"Værk nummer {number}"],
            "volume": str(number)}


def test_a_thousand_dois_resolve_through_a_flaky_crossref(tmp_path):
    count = 1000
    dois = [f"10.5555/flaky.{i}" for i in range(count)]
    bib = tmp_path / "references.bib"
    bib.write_text("% sources\n", encoding="utf-8")
    started = time.monotonic()
    with FaultyCrossref(limit=2000, concurrency=10, fault_rate=0.2, seed=20261128) as fake:
        for i, doi in enumerate(dois):
            fake.add_work(work(doi, i))
        refs = load_references(bib)
        # Each DOI asked for twice, once in another spelling: still added once.
        asked = dois + [f"https://doi.org/{d.upper()}" for d in dois[::10]]
        report = add_dois(refs, client(fake, tmp_path / "cache"), asked, today=TODAY,
                          show_progress=False)
        elapsed = time.monotonic() - started

        assert [o.message for o in report.failures] == []
        assert report.count("added") == count
        text = bib.read_text(encoding="utf-8")
        again = load_references(bib)  # parses, validates (no duplicate DOI or key)
        found = Counter(s.doi for s in again.sources)
        assert set(found) == set(dois)
        assert max(found.values()) == 1
        assert text.startswith("% sources\n")
        # Crossref answered each DOI once: no success was thrown away and asked again.
        assert max(fake.served.values()) == 1 and len(fake.served) == count
        faults = sum(fake.faults.values())
        total = len(fake.requests)
        assert 0.15 < faults / total < 0.25
        assert set(fake.faults) == set(FAULTS)

        # A second run (resolve everything) fetches nothing and changes nothing.
        fake.fault_rate = 0.0
        before = fake.count()
        sources, _ = select_entries(again, [], everything=True)
        second = resolve_references(again, client(fake, tmp_path / "cache"), sources,
                                    today=TODAY, show_progress=False)
        assert second.count("unchanged") == count and fake.count() == before
        assert bib.read_text(encoding="utf-8") == text
    print(f"{count} DOIs, {total} requests, {faults} faults "
          f"({dict(sorted(fake.faults.items()))}), {elapsed:.1f} s")
    assert elapsed < 60


def resolver(project: Path, fake: FakeCrossref, cache: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(cache),
           "EVIDENCE_MAILTO": "t@example.org"}
    return subprocess.Popen(
        [sys.executable, "-c", "from evidence.cli import cli; cli()", "resolve", *args,
         "--project", str(project)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def damage_cache(cache: Path, rng: random.Random) -> Counter:
    """Break cache files in every way a crash or a full disk could."""
    files = sorted(p for p in cache.rglob("*.json") if p.is_file())
    damage: Counter[str] = Counter()
    for path in rng.sample(files, min(len(files), 12)):
        data = path.read_bytes()
        try:
            intact = isinstance(json.loads(data), dict)
        except ValueError:
            intact = False  # damaged in an earlier round
        how = rng.choice(["truncate", "empty", "garbage", "not-an-envelope", "directory"]
                         + (["wrong-doi", "body-not-json"] if intact else []))
        damage[how] += 1
        if how == "truncate":
            path.write_bytes(data[: rng.randint(1, max(1, len(data) - 1))])
        elif how == "empty":
            path.write_bytes(b"")
        elif how == "garbage":
            path.write_bytes(os.urandom(64))
        elif how == "not-an-envelope":
            path.write_text(json.dumps([1, 2, 3]))
        elif how == "wrong-doi":
            envelope = json.loads(data)
            envelope["doi"] = "10.5555/someone.else"
            path.write_text(json.dumps(envelope))
        elif how == "body-not-json":
            envelope = json.loads(data)
            envelope["body"] = "<html>oops"
            path.write_text(json.dumps(envelope))
        else:
            path.unlink()
            path.mkdir()
    return damage


def snapshot(path: Path) -> dict:
    return {s.key: [(f.key, f.value) for f in s.entry.fields] for s in load_references(path)}


def test_a_resolver_killed_at_random_moments_keeps_every_entry_whole(tmp_path):
    count = 100
    original = tmp_path / "original.bib"
    dois = bulk_bib(original, count)
    project = tmp_path / "project"
    project.mkdir()
    bib = project / "references.bib"
    bib.write_bytes(original.read_bytes())
    complete = tmp_path / "complete" / "references.bib"
    complete.parent.mkdir()
    complete.write_bytes(original.read_bytes())
    cache = tmp_path / "cache"
    rng = random.Random(int(os.environ.get("EVIDENCE_FUZZ_SEED", "28")))
    with FakeCrossref(limit=200, concurrency=3, latency=0.02) as fake:
        serve_bulk(fake, dois)
        # The fully updated file, made by a run that is not interrupted.
        done = resolver(tmp_path / "complete", fake, tmp_path / "other-cache", "--all")
        assert done.wait(120) == 0, done.stderr.read()

        expected = snapshot(complete)
        kills = 0
        progress = []
        for attempt in range(10):
            if attempt % 3 == 0:
                bib.write_bytes(original.read_bytes())  # work to do again
            before = snapshot(bib)
            asked = fake.count()
            # Some runs fetch anew (--refresh): with the cache filled by the runs
            # before, the others are quick.
            args = ("--all", "--refresh") if attempt % 2 else ("--all",)
            process = resolver(project, fake, cache, *args)
            if attempt == 9:
                # Once, right after the first write lands, so that a kill between
                # two writes is tested however slowly a loaded machine starts.
                first = bib.read_bytes()
                deadline = time.monotonic() + 60
                while (bib.read_bytes() == first and process.poll() is None
                       and time.monotonic() < deadline):
                    time.sleep(0.001)
            elif rng.random() < 0.5:
                # After a random number of requests, plus a fraction of a request's time.
                target = rng.randint(0, count)
                deadline = time.monotonic() + 30
                while (fake.count() - asked < target and process.poll() is None
                       and time.monotonic() < deadline):
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.03))
            else:  # at a random moment, start-up (about 0.5 s) included
                time.sleep(rng.uniform(0.1, 1.5))
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            kills += process.returncode == -signal.SIGKILL
            # The file parses, and each entry is as before the run or fully updated.
            updated, _ = assert_each_entry_before_or_after(bib, original, complete)
            now = snapshot(bib)
            assert all(now[k] in (before[k], expected[k]) for k in now)
            assert not list(project.glob(".references.bib.*"))
            progress.append(updated)
            if cache.exists():
                damage_cache(cache, rng)
        assert kills >= 5
        assert any(0 < n < count for n in progress)  # some kills came between two writes

        # The next, uninterrupted run finishes the job despite the damaged cache.
        finish = resolver(project, fake, cache, "--all")
        _, err = finish.communicate(timeout=120)
        assert finish.returncode == 0, err
        assert "Traceback" not in err
        assert bib.read_bytes() == complete.read_bytes()
    print(f"{kills} kills; entries updated after each: {progress}")


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "directory"])
def test_a_damaged_cache_file_is_fetched_again(tmp_path, damage):
    doi = "10.5555/cached.1"
    with FakeCrossref() as fake:
        fake.add_work(work(doi, 1))
        cache = ResponseCache(tmp_path / "cache")
        first = client(fake, tmp_path / "cache").fetch(doi)
        path = cache.path_for(doi)
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "garbage":
            path.write_bytes(b"\xff\x00" * 20)
        else:
            path.unlink()
            path.mkdir()
        again = client(fake, tmp_path / "cache").fetch(doi)
        assert again.message == first.message and not again.from_cache
        assert fake.count(doi) == 2


@pytest.mark.parametrize("title", ["Ends in a backslash \\", "Brace \\} escaped", "Odd {{ braces"])
def test_a_crossref_value_bibtex_cannot_hold_never_breaks_the_file(tmp_path, title):
    """Whatever Crossref sends, references.bib keeps parsing: a value that would
    not read back is written correctly or refused and reported, never spliced in."""
    doi = "10.5555/odd.title"
    bib = tmp_path / "references.bib"
    bib.write_text("% sources\n@article{kept,\n  title = {Kept}\n}\n", encoding="utf-8")
    with FakeCrossref() as fake:
        fake.add_work({**work(doi, 1), "title": [title]})
        refs = load_references(bib)
        report = add_dois(refs, client(fake, tmp_path / "cache"), [doi], today=TODAY,
                          show_progress=False)
    again = load_references(bib)  # parses and validates
    assert again.get("kept").raw("title") == "Kept"
    added = [s for s in again.sources if s.key != "kept"]
    if report.failures:
        assert added == [] and "not written" in report.failures[0].message
    else:
        assert len(added) == 1 and added[0].text("title")
