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
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLD = 20_000


@contextmanager
def fewer_collections(threshold: int = BATCH_THRESHOLD) -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
