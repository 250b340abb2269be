"""What the race tests assert of two saves made at once from the same read."""

from __future__ import annotations

from collections.abc import Sequence

from remis.lib.errors import Conflict


def one_won(results: Sequence[object]) -> int:
    """Of two saves run together (`parallel_db`), one won and the other was told the record
    changed (a Conflict), nothing else went wrong: the index of the winner."""
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert not unexpected, unexpected
    conflicts = [n for n, r in enumerate(results) if isinstance(r, Conflict)]
    assert len(results) == 2 and len(conflicts) == 1, results
    return 1 - conflicts[0]
