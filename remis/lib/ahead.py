"""Making a long job's next pieces in a second process while this one works on the last.

An import reads and checks a chunk of rows (pure Python: parsing, matching, validation,
scoring) and then writes it (the database, the audit chain). Done one after the other, one
core waits while the other works; threads do not help, because both halves are Python and
share its lock. `made_ahead` runs the producing half in a forked child process on its own
database connection, sending each piece through a pipe, while the caller consumes the
pieces in order: the two halves overlap on two cores.

The child only reads: every write stays in the caller, in the order the pieces come, so a
run interrupted anywhere ends as the same run done in one process would have ended there.
The pipe holds about one piece in flight (a send waits for the reader), which bounds memory
and how far the child's reads run ahead of the caller's writes: a producer must itself
remember what it already handed over (the caller may not have written it yet).

Where a second process cannot see the caller's data or would not help, the producer runs in
the caller's process instead, one piece at a time: inside a transaction (tests, a caller's
atomic block: another connection would not see its uncommitted rows), on an in-memory SQLite
database, on one core, or when asked (`parallel=False`, a small input).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.db import connection, connections

T = TypeVar("T")
_ITEM, _DONE, _ERROR = "item", "done", "error"


def may_fork() -> bool:
    """Whether a forked process on its own connection sees what this one sees."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    in_transaction = any(c.in_atomic_block for c in connections.all(initialized_only=True))
    return (os.cpu_count() or 1) > 1 and not in_memory and not in_transaction


def made_ahead(produce: Callable[[], Iterator[T]], *, parallel: bool = True) -> Generator[T, None, None]:
    """The items `produce()` yields, in order, made in a forked child process while the
    caller handles the earlier ones (see the module's docstring). An exception raised by the
    producer is raised here, where the caller iterates. Close it (`contextlib.closing`) when
    stopping early: that stops the child."""
    if not (parallel and may_fork()):
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    connections.close_all()  # the child must not share this process's open connection
    child = context.Process(target=_produce, args=(produce, sender), daemon=True)
    child.start()
    sender.close()  # the child holds the only writing end: its exit means end of file
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError("The process preparing the next rows ended without a word.") from None
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise payload
            yield payload
    finally:
        receiver.close()  # a child still sending gets a broken pipe and stops
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _produce(produce: Callable[[], Iterator[Any]], sender: Connection) -> None:
    connections.close_all()  # never the parent's connection: open our own
    try:
        for item in produce():
            sender.send((_ITEM, item))
        sender.send((_DONE, None))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the caller stopped reading (it failed, or was stopped): nothing to tell
    except BaseException as error:  # the caller re-raises it
        try:
            sender.send((_ERROR, _sendable(error)))
        except OSError:
            pass  # the caller is gone
    finally:
        connections.close_all()
        sender.close()


def _sendable(error: BaseException) -> BaseException:
    """The error itself if it survives the pipe, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, made on the line before
    except Exception:  # some exceptions cannot be rebuilt from their args
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
