"""The DomainError family: actions raise these; the edges (forms, API, importers) turn
them into field messages, error bodies or report rows. Never swallowed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _


class ErrorCode(StrEnum):
    INVALID = "invalid"  # a value the domain refuses (dates out of order, unknown country)
    NOT_FOUND = "not_found"  # missing, or not visible to the actor: the same answer
    FORBIDDEN = "forbidden"  # visible, but the actor's role may not do this
    CONFLICT = "conflict"  # someone saved a newer version first (optimistic locking)
    DUPLICATE = "duplicate"  # a unique value already taken
    TRANSITION = "transition"  # the lifecycle state machine forbids this move
    GONE = "gone"  # it was the actor's to read and was taken back (a referral withdrawn)


class DomainError(Exception):
    """An action refused to write. `field` names the input at fault when there is one."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self, message: str, field: str | None = None, *, errors: list[tuple[str | None, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Several field errors at once, so a form can show all of them in one round trip.
        self.errors: list[tuple[str | None, str]] = errors or [(field, message)]


class ValidationFailed(DomainError):
    code = ErrorCode.INVALID


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Not found."))


class PermissionDenied(DomainError):
    code = ErrorCode.FORBIDDEN

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You do not have permission to do this."))


class Conflict(DomainError):
    code = ErrorCode.CONFLICT

    def __init__(
        self, message: str | None = None, *, record: Any = None, for_clients: tuple[str, str] | None = None
    ) -> None:
        self.generic = message is None  # the shared message, which the API words for clients
        # The record saved first by someone else, when known: a page can say who saved it
        # and when (`audit.queries.last_saved`).
        self.record = record
        # (field, message) as an API client reads it, when the page's words name what it
        # does not send ("the list below") or another field than the one it sent.
        self.for_clients = for_clients
        super().__init__(
            message
            or _(
                "Someone else saved this record after you opened it. Open the page again "
                "from its link to see their changes (reloading sends your form again), then "
                "apply yours again."
            ),
            "version",
        )


class Duplicate(DomainError):
    code = ErrorCode.DUPLICATE

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        errors: list[tuple[str | None, str]] | None = None,
        existing: Any = None,
    ) -> None:
        super().__init__(message, field, errors=errors)
        # The record this one may repeat (a case's uuid), when the page can link to it.
        self.existing = existing


class TransitionRefused(DomainError):
    code = ErrorCode.TRANSITION


@contextmanager
def fields_renamed(names: dict[str, str] | Callable[[str], str]) -> Iterator[None]:
    """An action's errors named as the caller's input names them (the API's body says
    `item_id` where the action says `item`): `with fields_renamed({"item": "item_id"}): ...`,
    or a function of the action's name (a nested body: `person.date_of_birth`)."""

    def renamed(field: str | None) -> str | None:
        if not field:
            return field
        return names(field) if callable(names) else names.get(field, field)

    try:
        yield
    except DomainError as error:
        error.field = renamed(error.field)
        error.errors = [(renamed(field), message) for field, message in error.errors]
        raise
