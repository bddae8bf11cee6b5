"""``python -m evidence``: the command line, as the ``evidence`` script runs it
(``serve --watch`` runs its builds so, with the Python that serves)."""

import gc
import sys

from evidence.bibliography import early

# Commands whose process ends when their work does, and whose work pauses the
# collector anyway (loading makes many objects and no cycles worth finding:
# evidence/perf.py): the collector stays off until the process exits. Switched
# back on after the work, it would walk the heap and free the work's leftovers
# (10 ms after rebuilding one guide) just before the exit frees them all.
_COLLECTOR_OFF = frozenset({"build", "check"})


def main() -> None:
    """The command line; a repeated bibliography's pandoc starts first of all
    (evidence.bibliography.early), before click and the CLI are imported."""
    early.start(sys.argv)
    if sys.argv[1:2] and sys.argv[1] in _COLLECTOR_OFF:
        gc.disable()
    from evidence.cli import cli

    try:
        cli(prog_name="evidence")
    finally:
        # The process ends here. Its objects need no collecting: without this the
        # collector walks every one of them again while the interpreter shuts
        # down (7 ms of a 40 ms bibliography's own time; objects are still freed
        # as their references go, files flushed and atexit handlers run).
        gc.freeze()


if __name__ == "__main__":
    main()
