"""Small helpers for speed, shared by the build and the loaders."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for loading, which makes many
    objects and no garbage cycles worth finding. Python's collector would walk
    all the live objects again and again (it doubled the time of reading
    100,000 claims, and costs a tenth of parsing a large references.bib).
    Nests: only the outermost pause switches the collector back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
