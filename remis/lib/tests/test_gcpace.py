"""Overlapping blocks of fewer collections leave the interpreter's setting as they found it."""

from __future__ import annotations

import gc
import threading

from remis.lib.gcpace import BATCH_THRESHOLD, fewer_collections


def test_overlapping_blocks_in_threads_put_back_the_setting_found_before_the_first() -> None:
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first() -> None:
        with fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with fewer_collections():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold()[0])  # the first left: still raised for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [BATCH_THRESHOLD]
    assert gc.get_threshold() == before
