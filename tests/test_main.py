"""The `evidence` script's entry point (evidence.__main__.main)."""

from __future__ import annotations

import gc
import sys

import pytest

import evidence.cli
from evidence import __main__ as entry


@pytest.mark.parametrize(("argv", "collecting"), [
    (["evidence", "build", "--project", "p"], False),
    (["evidence", "check"], False),
    (["evidence", "serve"], True),  # runs for hours: its garbage must be collected
    (["evidence", "desk"], True),
    (["evidence"], True),
])
def test_only_commands_that_end_with_their_work_run_without_the_collector(
        monkeypatch, argv, collecting):
    seen: list[bool] = []
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(evidence.cli, "cli", lambda **_: seen.append(gc.isenabled()))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the test process goes on
    was_enabled = gc.isenabled()
    try:
        entry.main()
    finally:
        if was_enabled:
            gc.enable()
    assert seen == [collecting]
