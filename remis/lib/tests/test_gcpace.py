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


def test_a_server_worker_freezes_its_loaded_code_out_of_the_collectors_way(tmp_path) -> None:
    """Loading the WSGI application (what each gunicorn worker does) imports every view
    and freezes what startup left, so a full collection no longer scans it; objects made
    afterwards are still collected. In a process of its own: a frozen heap stays frozen."""
    import os
    import subprocess
    import sys

    script = (
        "import gc, sys\n"
        "import remis.wsgi\n"
        "frozen = gc.get_freeze_count()\n"
        "views = 'remis.monitoring.views' in sys.modules and 'remis.cases.views.case_page' in sys.modules\n"
        "class Cycle: pass\n"
        "a, b = Cycle(), Cycle(); a.other, b.other = b, a; del a, b\n"
        "print(frozen, views, gc.collect() >= 2)\n"
    )
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60, "REMIS_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, views, collected = done.stdout.split()
    assert int(frozen) > 100_000  # Django and the views' libraries, out of the scans
    assert views == "True" and collected == "True"
