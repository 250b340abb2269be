"""What every API router shares in its OpenAPI description: the one error body, the error
responses each kind of operation can give, and enums built from the models' choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from django.db.models import Choices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from remis.lib.fields import has_control_characters
from remis.lib.paging import COUNT_CAP


class FieldErrorOut(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """Every 4xx answer: a summary, and one entry per field at fault (field null when the
    problem is the request as a whole)."""

    detail: str
    errors: list[FieldErrorOut]


ERROR_DESCRIPTIONS = {
    400: "The body cannot be read as JSON.",
    401: "No valid API token.",
    403: "The token owner's role may not do this (or, for a read-only token, any change).",
    404: "Not found, or not visible to the token owner: the same answer.",
    409: "Someone saved a newer version first, or the value is already taken.",
    422: "The request is not valid; `errors` names each field or parameter at fault.",
}


def error_codes(method: str, path: str, *, body: bool = False) -> list[int]:
    """The error statuses an operation can answer with: every one needs a token, may be
    refused to the token owner's role, can be sent invalid parameters, and can name (in its
    path, query or body) a record that is not there or not visible; one taking a body can
    be sent bytes that are not JSON; a write can lose a race or repeat a unique value."""
    codes = [401, 403, 404, 422]
    if body:
        codes.append(400)
    if method.lower() != "get" and not path.endswith("/search"):  # a search is a read sent by POST
        codes.append(409)
    return sorted(codes)


def literal_of(choices: type[Choices] | Iterable[str], *, blank: bool = False) -> Any:
    """A Literal type of a TextChoices' values (or of given codes), so the OpenAPI enum
    is generated from the model and cannot drift from it. `blank` adds ""."""
    values = [str(v) for v in (choices.values if isinstance(choices, type) else choices)]
    if blank:
        values.append("")
    return Literal[tuple(values)]


# A record id sent by a client: a positive 64-bit integer. Larger numbers would overflow the
# database driver (SQLite raises OverflowError) instead of answering 422.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class TextSchema(Schema):
    """An input schema refusing text with control characters in any field (a string or a
    list of strings), naming the field: PostgreSQL refuses a NUL in any text, so it must
    never reach a query."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and has_control_characters(v) for v in texts):
            raise ValueError(_("Remove the control characters from this field."))
        return value


class PageParams(TextSchema):
    """The paging of a list: `limit` rows from `offset`."""

    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


def page_out(rows: Any, limit: int, offset: int, out: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """A list's page as every paged answer has it: `items`, `count` (counted up to
    COUNT_CAP + 1, never a whole table), `count_capped`, `limit`, `offset`. `rows` is a
    QuerySet or a list; `out` turns each row of the page into its answer."""
    count = len(rows[: COUNT_CAP + 1]) if isinstance(rows, list) else rows[: COUNT_CAP + 1].count()
    items = list(rows[offset : offset + limit])
    return {
        "items": [out(row) for row in items] if out else items,
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": limit,
        "offset": offset,
    }
