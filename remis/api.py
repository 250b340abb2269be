"""The JSON API root: /api/v1, bearer-token auth, OpenAPI, and one error shape for all.

Errors: {"detail": "...", "errors": [{"field": "...", "message": "..."}]}.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from types import MethodType
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer

from remis.accounts import two_factor
from remis.accounts.models import ApiToken, TokenAccess, hash_token
from remis.lib.api_schema import ERROR_DESCRIPTIONS, ErrorOut, error_codes, schema_message
from remis.lib.errors import Conflict, DomainError, ErrorCode

STATUS = {
    ErrorCode.INVALID: 422,
    ErrorCode.TRANSITION: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DUPLICATE: 409,
    ErrorCode.GONE: 410,
}


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # what a read-only token may ask
# Reads sent as POST, so that the names searched for stay out of URLs and logs: a read-only
# token may ask them too (the users search refused one, while its GET told it to search so).
POSTS_THAT_READ = (
    re.compile(r"/api/v1/cases/search"),
    re.compile(r"/api/v1/organisation/\d+/users/search"),
)  # paths below any script prefix (path_info)


def reads_by_post(path: str) -> bool:
    return any(pattern.fullmatch(path) for pattern in POSTS_THAT_READ)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer remis_…` — tokens are stored hashed, expire, can be revoked,
    and a read-only token is refused anything but reading (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        # Ninja's own reading logs the whole header at ERROR when its scheme is not "Bearer"
        # and DEBUG is on: a real token sent as "Token remis_…" ended in the server's log.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user")
            .filter(
                key_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True
            )
            .first()
        )
        if row is None:
            self._say_why_not(token, now)
            return None
        reads = request.method in SAFE_METHODS or (
            request.method == "POST" and reads_by_post(request.path_info)
        )
        if two_factor.lacks_required_second_factor(row.user):
            raise TokenRefused(
                _(
                    "Your roles now require two-factor sign-in: sign in to REMIS and set it up, "
                    "and this token works again."
                )
            )
        if row.access != TokenAccess.READ_WRITE and not reads:
            raise HttpError(
                403, _("This token may only read: make a read and write token to change records.")
            )
        # Note use at most every few minutes: a write per request would serialise API traffic.
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user

    @staticmethod
    def _say_why_not(token: str, now: dt.datetime) -> None:
        """A token that worked and no longer does says why (expired, revoked): a script's
        owner read "A valid API token is required." and looked for a typing mistake. Only the
        holder of the token can ask, so nothing is told to anyone else."""
        from django.utils.formats import date_format

        known = ApiToken.objects.filter(key_hash=hash_token(token)).only("revoked_at", "expires_at").first()
        if known is None:
            return
        if known.revoked_at is not None:
            said = _("This token was revoked on %(day)s: make a new one.")
            day = known.revoked_at
        elif known.expires_at <= now:
            said = _("This token expired on %(day)s: make a new one.")
            day = known.expires_at
        else:
            return  # its owner is no longer active: told no more than an unknown token
        raise TokenRefused(said % {"day": date_format(timezone.localtime(day), "SHORT_DATE_FORMAT")})


class TokenRefused(Exception):
    """A token known but no longer valid (401, with the reason)."""


class RemisAPI(NinjaAPI):
    """Documents the error answers on every operation. They come from the exception
    handlers below, not from the operations, so they are added here once: an operation
    added later cannot forget them (the pattern Ninja's author recommends for schema
    additions, django-ninja issue #169)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error.pop("$defs", {}))
        components["ErrorOut"] = error
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code in error_codes(method, path, body="requestBody" in operation):
                    responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": body})
        return schema


class BodyRefused(Exception):
    """A body the parser will not read, with the answer to give (`http_error`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _fields_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            # {"body": "a", "body": "b"} kept the last, silently: which did the client mean?
            message = _("The request body gives “%(name)s” twice: send each field once.") % {"name": name}
            raise BodyRefused(400, message)
        found[name] = value
    return found


class JsonBodyParser(Parser):
    """A body is JSON, said so by its Content-Type: one sent as text/plain or as a form
    (curl's -d without a header) was read as JSON and saved, whatever the client meant."""

    def parse_body(self, request: HttpRequest) -> Any:
        kind = request.content_type or ""
        if kind != "application/json" and not kind.endswith("+json"):
            message = _("Send the body as JSON, with the header “Content-Type: application/json”.")
            raise BodyRefused(415, message)
        return json.loads(request.body, object_pairs_hook=_fields_once)


api = RemisAPI(
    parser=JsonBodyParser(),
    title="REMIS API",
    version="1",
    description="Case records of AVRR programmes, scoped to the token owner's organisations and countries.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
)


def _list_parameters(operation: Operation) -> set[str]:
    """The query parameters an operation declares as lists (given once per value)."""
    import typing

    from pydantic import BaseModel

    def lists(fields: dict[str, Any]) -> set[str]:
        names: set[str] = set()
        for name, field in fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names |= lists(annotation.model_fields)  # a Query[Schema], flattened
                continue
            kinds = [annotation, *typing.get_args(annotation)]
            if any(typing.get_origin(kind) in (list, tuple, set) for kind in kinds):
                names.add(field.alias or name)
        return names

    found: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            found |= lists(model.model_fields)
    return found


def refuse_unknown_query(run: MethodType) -> MethodType:
    """Refuses a query parameter the operation does not declare, naming it: Ninja drops
    it, so `GET /cases?search=…` listed every case as if filtered. Checked where Ninja
    reads the parameters, after authentication (a caller without a token still gets 401)."""
    operation = cast(Operation, run.__self__)  # a "view" decorator wraps the operation's bound `run`
    known: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            known |= set(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    repeatable = _list_parameters(operation)
    read_parameters = operation._get_values

    def checked(request: HttpRequest, path_params: Any, temporal_response: HttpResponse) -> Any:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            message = _("This parameter is not known here: the parameters are listed at /api/v1/docs.")
            raise NinjaValidationError(
                [
                    {"loc": ("query", name), "type": "unknown", "msg": _unknown(request, name, message)}
                    for name in unknown
                ]
            )
        # `?stage=closed&stage=monitoring` kept the last value, silently: a client expecting
        # either got half the cases. A parameter taking one value is refused given twice.
        twice = sorted(n for n in request.GET if n not in repeatable and len(request.GET.getlist(n)) > 1)
        if twice:
            message = _("This parameter takes one value and was given more than once.")
            raise NinjaValidationError(
                [{"loc": ("query", name), "type": "repeated", "msg": message} for name in twice]
            )
        return read_parameters(request, path_params, temporal_response)

    operation._get_values = checked  # type: ignore[method-assign]
    return run


api.add_decorator(refuse_unknown_query, mode="view")


def error_body(detail: str, errors: list[tuple[str | None, str]]) -> dict[str, Any]:
    """The one error shape. A refusal of the request as a whole (401, 404, 405, 413…) lists
    itself with a null field, as `ErrorOut` says: it answered an empty list, and a client
    reading the first entry failed on it."""
    listed = errors or [(None, detail)]
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in listed]}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    message, errors = exc.message, exc.errors
    if isinstance(exc, Conflict) and exc.generic:
        # The shared message speaks of pages and forms; a client reads the record again (the
        # field's message said to reopen a page too).
        message = _(
            "Someone else changed this record after you read it. Read it again, then send "
            "your change with the version you read."
        )
        errors = [(field, message) for field, _page_words in errors]
    elif isinstance(exc, Conflict) and exc.for_clients is not None:
        field, message = exc.for_clients
        errors = [(field, message)]
    if exc.code == ErrorCode.NOT_FOUND and (gone := access_gone(request)) is not None:
        return gone
    return api.create_response(request, error_body(message, errors), status=STATUS[exc.code])


def access_gone(request: HttpRequest) -> HttpResponse | None:
    """410 Gone, with the day, for a case the caller's organisation held and no longer
    does (a partner cut off by a consent withdrawn): a script read 404 "Not found.", as for
    a case that never existed, where the pages say why."""
    from django.utils.formats import date_format

    from remis.cases.views.common import ended_access

    ended = ended_access(request)
    if ended is None:
        return None
    detail = _(
        "Your organisation's access to this case ended on %(day)s: the returnee withdrew their "
        "consent to share it with partners or to the processing of their data, or the case was "
        "handed over."
    ) % {"day": date_format(timezone.localtime(ended), "Y-m-d")}
    return api.create_response(request, error_body(detail, []), status=410)


@api.exception_handler(NinjaValidationError)
def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for item in exc.errors:
        # Ninja locates an error as (source, parameter name, field, …): keep the field path.
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] in ("body", "query", "path"):
            location = location[1:]
        if len(location) > 1 and location[0] in ("body", "params", "payload"):
            location = location[1:]
        errors.append((".".join(location) or None, schema_message(item)))
    return api.create_response(request, error_body(_("The request is not valid."), errors), status=422)


def _unknown(request: HttpRequest, name: str, message: str) -> str:
    """`message`, or for `q` on a list searched by POST, where searching is."""
    if name != "q" or not _searched_by_post(request):
        return message
    return _("Words to search for go in the body of a POST to %(path)s, never in an address.") % {
        "path": request.path.rstrip("/") + "/search"
    }


def _searched_by_post(request: HttpRequest) -> bool:
    """Whether this list is searched by words sent to its `/search` (names are kept out of
    addresses and access logs): a `q` in its address was refused as "not known here", with
    nothing to say where searching is."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(request.path.rstrip("/") + "/search")
    except Resolver404:
        return False
    return request.method == "GET" and str(match.url_name or "").startswith("search_")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Django's own "not found" (a view's `Http404`), in the one error shape."""
    if (gone := access_gone(request)) is not None:
        return gone
    return api.create_response(request, error_body(_("Not found."), []), status=404)


@api.exception_handler(TokenRefused)
def token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    response = api.create_response(request, error_body(str(exc), []), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="REMIS API", error="invalid_token"'  # RFC 6750 §3.1
    return response


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        # A token was sent and is not one (mistyped, cut, never made): RFC 6750 §3.1 says
        # so with invalid_token, where a request without any says only how to authenticate;
        # a script could not tell a typo in its token from a header it forgot.
        detail = _("This API token is not valid: check that it was copied whole, or make a new one.")
        response = api.create_response(request, error_body(detail, []), status=401)
        response["WWW-Authenticate"] = 'Bearer realm="REMIS API", error="invalid_token"'
        return response
    response = api.create_response(request, error_body(_("A valid API token is required."), []), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="REMIS API"'  # RFC 6750: how to authenticate
    return response


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read it (it was a 500)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    detail = _("The request body is larger than the API accepts (%(size)s MB at most).") % {
        "size": round(limit / 1_000_000, 1)
    }
    return api.create_response(request, error_body(detail, []), status=413)


@api.exception_handler(MultiPartParserError)
def unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A multipart body that cannot be read (no boundary, cut short): the client's error."""
    detail = _("The request body could not be read as multipart/form-data: send it with its boundary.")
    return api.create_response(request, error_body(detail, []), status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyRefused):  # Ninja wraps whatever the parser raises
        refused = exc.__cause__
        return api.create_response(request, error_body(refused.message, []), status=refused.status)
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        # Ninja's own words, in English whatever the language asked, and with DEBUG on the
        # parser's internals ("Expecting property name… (char 1)", "'utf-8' codec…").
        detail = _("The request body could not be read: send one JSON object, encoded in UTF-8.")
    return api.create_response(request, error_body(detail, []), status=exc.status_code)


@csrf_exempt  # it writes nothing; a POST to a mistyped address read the HTML "Not allowed" page
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An address under /api/v1/ that no endpoint has: the one error shape, in JSON (it was
    Django's HTML page). Routed after the API's own addresses (remis/urls.py)."""
    body = error_body(_("There is no such API address: the addresses are listed at /api/v1/docs."), [])
    return JsonResponse(body, status=404)


class ApiResponses:
    """What every answer under /api/ carries whatever produced it: `Cache-Control: no-store`
    (they hold personal data: no shared or browser cache keeps them), and a method an address
    does not take answered in the API's error shape, in JSON (Ninja answers it in plain text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith("/api/"):
            return response
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            detail = _("This address does not take %(method)s; it takes %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed,
            }
            response = JsonResponse(error_body(detail, []), status=405)
            response["Allow"] = allowed
        response.setdefault("Cache-Control", "no-store")
        return response


def _register_routers() -> None:
    from remis.accounts.api import me_router, organisation_router
    from remis.accounts.api import platform_router as accounts_platform_router
    from remis.assessments.api import router as assessments_router
    from remis.assistance.api import router as plans_router
    from remis.cases.api import erasures_router, persons_router
    from remis.cases.api import router as cases_router
    from remis.communities.api import router as communities_router
    from remis.indicators.api import router as indicators_router
    from remis.interop.api import router as exports_router
    from remis.jobs.api import router as jobs_router
    from remis.monitoring.api import router as monitoring_router
    from remis.programmes.api import platform_router as configuration_router
    from remis.programmes.api import router as programmes_router
    from remis.referrals.api import router as referrals_router
    from remis.reports.api import router as reports_router
    from remis.services.api import router as services_router
    from remis.webhooks.api import router as webhooks_router

    api.add_router("/cases", cases_router)
    api.add_router("/persons", persons_router)
    api.add_router("/erasures", erasures_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/programmes", programmes_router)
    api.add_router("/services", services_router)
    # /platform: the platform operator's organisations and roles (accounts) and the shared
    # configuration (programmes), under one prefix.
    api.add_router("/platform", accounts_platform_router)
    api.add_router("/platform", configuration_router)
    api.add_router("/organisation", organisation_router)
    api.add_router("/me", me_router)
    api.add_router("/", assessments_router)  # /cases/{uuid}/assessments and /assessments/…
    api.add_router("/plans", plans_router)
    api.add_router("/referrals", referrals_router)
    api.add_router("/community-projects", communities_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/reports", reports_router)
    api.add_router("/indicator-frameworks", indicators_router)
    api.add_router("/webhooks", webhooks_router)
    api.add_router("/exports", exports_router)


_register_routers()
