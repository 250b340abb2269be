"""What every API router shares in its OpenAPI description: the one error body, the error
responses each kind of operation can give, and enums built from the models' choices."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.db.models import Choices
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from remis.lib.countries import is_country
from remis.lib.fields import has_bidi_controls, has_control_characters
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
    400: "The body cannot be read as JSON, or it gives a field twice.",
    401: "No valid API token.",
    403: "The token owner's role may not do this (or, for a read-only token, any change).",
    404: "Not found, or not visible to the token owner: the same answer.",
    410: "The token owner's organisation held this case and its access ended (the day is said), or "
    "was sent this referral and it was withdrawn (why is said).",
    409: "Someone saved a newer version first, or the value is already taken.",
    422: "The request is not valid; `errors` names each field or parameter at fault.",
    415: "A JSON body was sent with another Content-Type than application/json.",
}


def error_codes(method: str, path: str, *, body: bool = False) -> list[int]:
    """The error statuses an operation can answer with: every one needs a token, may be
    refused to the token owner's role, can be sent invalid parameters, and can name (in its
    path, query or body) a record that is not there or not visible; one taking a body can
    be sent bytes that are not JSON; a write can lose a race or repeat a unique value."""
    codes = [401, 403, 404, 422]
    if body:
        codes += [400, 415]
    if "{case_uuid}" in path or "{referral_uuid}" in path:  # no longer held, or withdrawn
        codes.append(410)
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


def _country_filter(value: str) -> str:
    """A country filter's code in any letters' case; an unknown one would match nothing:
    said instead of answering an empty list."""
    if value and not is_country(value):
        raise ValueError(_("“%(code)s” is not an ISO 3166 country code.") % {"code": value})
    return value.upper()


# A list parameter naming a country (ISO 3166 alpha-2; blank: any).
CountryFilter = Annotated[str, Field(max_length=2), AfterValidator(_country_filter)]


YES_NO = frozenset({"true", "false", "1", "0"})  # a yes/no as a query string writes it


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class InputSchema(Schema):
    """What a client sends (a body or a list's query parameters).

    - A field the schema does not have is refused, naming it. Dropped silently, a misspelt
      field ("familyname") would look saved to the client while nothing changed. The OpenAPI
      description says so (`additionalProperties: false`).
    - Text with control characters (PostgreSQL refuses a NUL in any text, so it must never
      reach a query) or with text-direction overrides (they make a name display as another,
      "Plan \u202egpj.exe" as "Plan exe.jpg") is refused in any field, a string or a list of
      strings, naming it: the rule the forms' field rules apply."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_loose_types(cls, value: Any, info: ValidationInfo) -> Any:
        """What pydantic's lax mode would turn into a plausible wrong value is refused: a
        number as a date (1764979200, Date.now() in JavaScript, read as 6 Dec 2025, and
        "1764979200000" too), a number as a yes/no (1), a yes/no as a number (true read as
        1 night). A date is a YYYY-MM-DD text, as the schema says."""
        field = cls.model_fields.get(info.field_name or "")
        if field is None or value is None:
            return value
        kinds = _plain_types(field.annotation)
        if kinds & {dt.date, dt.datetime} and (
            not isinstance(value, str | dt.date) or (isinstance(value, str) and value.strip().isdigit())
        ):
            kind = "datetime_type" if dt.datetime in kinds else "date_type"
            raise PydanticCustomError(kind, "Input should be a valid date")
        if bool in kinds and not (
            isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in YES_NO)
        ):
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        if isinstance(value, bool) and bool not in kinds and kinds & {int, float, Decimal}:
            raise PydanticCustomError("float_type", "Input should be a valid number")
        if (
            isinstance(value, str)
            and kinds & {int, float, Decimal}
            and str not in kinds
            and not _PLAIN_NUMBER.fullmatch(value)
        ):
            # A number in a text is written as JSON writes it: Python's grouping ("1_000"),
            # a trailing point ("5.") or other scripts' digits ("１０００", "٥٠٠") were read as
            # numbers that no client meant to send in a text.
            if not kinds & {float, Decimal}:
                raise PydanticCustomError(
                    "int_parsing", "Input should be a valid integer, unable to parse string as an integer"
                )
            raise PydanticCustomError("float_parsing", "Input should be a valid number")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _decimals_written_out(cls, value: Any) -> Any:
        """A number sent as 1e3 is kept as 1000: pydantic kept the exponent, and the
        answer echoed "1E+3" where every other amount reads as digits."""
        if isinstance(value, Decimal) and value.is_finite() and int(value.as_tuple().exponent) > 0:
            with contextlib.suppress(InvalidOperation):  # past 28 digits: refused by the field's limits
                return value.quantize(Decimal(1))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        texts = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        if any(has_control_characters(v) for v in texts):
            raise ValueError(_("Remove the control characters from this field."))
        if any(has_bidi_controls(v) for v in texts):
            raise ValueError(
                _("Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069).")
            )
        return value


class PageParams(InputSchema):
    """The paging of a list: `limit` rows from `offset`."""

    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


def _plain_types(annotation: Any) -> set[Any]:
    """The plain types an annotation allows: `date | None`, `Annotated[int, Field(...)]`,
    `list[...]` (its own origin) read as {date, NoneType}, {int}, {list}."""
    import types
    import typing

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_plain_types(arg) for arg in typing.get_args(annotation)))
    return {origin or annotation}


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


def _choices(ctx: dict[str, Any]) -> str:
    """The values pydantic lists ("'a', 'b' or 'c'"), listed without its English "or": a
    French answer ended "… or 'closed'"."""
    import re

    expected = str(ctx.get("expected", ""))
    values = re.findall(r"'[^']*'", expected)
    return ", ".join(values) if values else expected


def _schema_messages() -> dict[str, Callable[[dict[str, Any]], str]]:
    """The validation errors a client meets most, by pydantic's error type, in the reader's
    language (pydantic's own messages are English only). Built per call: gettext must run
    in the request's language."""
    number = _("Enter a number.")
    date = _("Enter a date as YYYY-MM-DD.")
    moment = _("Enter a date and time as YYYY-MM-DDTHH:MM:SS with its time zone.")
    return {
        "missing": lambda ctx: _("This field is required."),
        "extra_forbidden": lambda ctx: _(
            "This field is not known here: the fields are listed at /api/v1/docs."
        ),
        "int_parsing": lambda ctx: _("Enter a whole number."),
        "int_type": lambda ctx: _("Enter a whole number."),
        "int_from_float": lambda ctx: _("Enter a whole number."),
        "float_parsing": lambda ctx: number,
        "float_type": lambda ctx: number,
        "decimal_parsing": lambda ctx: number,
        "decimal_type": lambda ctx: number,
        "bool_parsing": lambda ctx: _("Enter true or false."),
        "bool_type": lambda ctx: _("Enter true or false."),
        "date_parsing": lambda ctx: date,
        "date_type": lambda ctx: date,
        "date_from_datetime_parsing": lambda ctx: date,
        "date_from_datetime_inexact": lambda ctx: date,
        "datetime_parsing": lambda ctx: moment,
        "datetime_type": lambda ctx: moment,
        "datetime_from_date_parsing": lambda ctx: moment,
        "uuid_parsing": lambda ctx: _("Enter a valid UUID."),
        "uuid_type": lambda ctx: _("Enter a valid UUID."),
        "string_type": lambda ctx: _("Send this field as text."),
        "string_unicode": lambda ctx: _("Send this field as text."),  # a lone surrogate
        "finite_number": lambda ctx: number,  # NaN, Infinity
        "decimal_max_places": lambda ctx: (
            _("Enter a number with at most %(places)s decimal places.")
            % {"places": ctx.get("decimal_places")}
        ),
        "decimal_max_digits": lambda ctx: (
            _("Enter a number with at most %(digits)s digits.") % {"digits": ctx.get("max_digits")}
        ),
        "decimal_whole_digits": lambda ctx: (
            _("Enter a number with at most %(digits)s digits.") % {"digits": ctx.get("whole_digits")}
        ),
        "string_too_long": lambda ctx: (
            ngettext(
                "Ensure this value has at most %(max)s character.",
                "Ensure this value has at most %(max)s characters.",
                int(ctx.get("max_length") or 0),
            )
            % {"max": ctx.get("max_length")}
        ),
        # "at least 1 characters": an empty text, said as such.
        "string_too_short": lambda ctx: (
            _("This field cannot be empty.")
            if ctx.get("min_length") == 1
            else _("Ensure this value has at least %(min)s characters.") % {"min": ctx.get("min_length")}
        ),
        "string_pattern_mismatch": lambda ctx: (
            _("This value is not in the expected form (%(pattern)s).") % {"pattern": ctx.get("pattern")}
        ),
        "too_long": lambda ctx: _("Send at most %(max)s items.") % {"max": ctx.get("max_length")},
        "too_short": lambda ctx: _("Send at least %(min)s items.") % {"min": ctx.get("min_length")},
        "list_type": lambda ctx: _("Send a list."),
        "dict_type": lambda ctx: _("Send an object."),
        "model_type": lambda ctx: _("Send an object."),
        "model_attributes_type": lambda ctx: _("Send an object."),
        "literal_error": lambda ctx: _("Send one of %(expected)s.") % {"expected": _choices(ctx)},
        "enum": lambda ctx: _("Send one of %(expected)s.") % {"expected": _choices(ctx)},
        "greater_than_equal": lambda ctx: (
            _("Ensure this value is greater than or equal to %(limit_value)s.")
            % {"limit_value": ctx.get("ge")}
        ),
        "less_than_equal": lambda ctx: (
            _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")}
        ),
        "greater_than": lambda ctx: (
            _("Ensure this value is greater than %(limit)s.") % {"limit": ctx.get("gt")}
        ),
        "less_than": lambda ctx: _("Ensure this value is less than %(limit)s.") % {"limit": ctx.get("lt")},
    }


def schema_message(item: dict[str, Any]) -> str:
    """A validation error's message for the client: ours for the common kinds; a
    validator's own (already translated) ValueError message; else pydantic's."""
    known = _schema_messages().get(str(item.get("type", "")))
    if known is not None:
        return known(item.get("ctx") or {})
    return str(item.get("msg") or _("Invalid value.")).removeprefix("Value error, ")
