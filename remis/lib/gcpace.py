"""Fewer garbage collections during batch work (a job: an import, a rescoring).

Python starts a young-generation collection every 700 new container objects. An import
makes a dozen per row (answers, model instances, audit changes) that mostly live until
the chunk is saved, so each collection found them alive and moved them on, and the older
generations were scanned again and again: a fifth of checking a KoBo file went to it
(`docs/benchmarks.md`). With a young threshold of 20,000 a collection comes every couple of
thousand rows instead of every hundred; cycles are still collected, memory grows by at most
those 20,000 objects. The setting is the interpreter's, so the block restores it, and a
process forked inside the block (`lib/ahead.py`) inherits it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLD = 20_000

# Blocks may overlap (nested, or jobs in threads of one worker): the first to enter raises
# the threshold and the last to leave puts back what the first found.
_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections(threshold: int = BATCH_THRESHOLD) -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
        _depth += 1
        gc.set_threshold(max(threshold, gc.get_threshold()[0]), *gc.get_threshold()[1:])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


def settle_heap() -> None:
    """Once a server process has loaded its code: every view module imported, what startup
    left collected, and the rest frozen out of the collector's way.

    A full collection scans every object the collector tracks; after Django, the views and
    the libraries they import (pycountry, pyxform, altair) start, that is hundreds of
    thousands of objects that live as long as the process, and such a collection took a
    quarter of a second, landing on whichever request came then (the follow-ups list's
    slowest runs, `docs/benchmarks.md`). Frozen, they are never scanned again; what requests
    create is collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every view module now, not on a request
    gc.collect()
    gc.freeze()
