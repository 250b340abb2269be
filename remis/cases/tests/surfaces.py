"""What a reader gets from every surface of one case, for the tests that look for a value
on all of them: every page whose only parameter is a case's uuid (from the URL
configuration, so a new page is read without a line written for it) and every API GET whose
only parameter is one (from the OpenAPI schema)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def case_pages() -> Iterator[str]:
    """The names of the pages whose only parameter is a case's uuid."""

    def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, set[str]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", set(pattern.pattern.converters)

    for name, parameters in walk(get_resolver().url_patterns):
        if parameters == {"case_uuid"}:
            yield name


def case_operations() -> list[str]:
    """The API's GET paths whose only parameter is a case's uuid, from the OpenAPI schema."""
    from remis.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for path, operations in paths.items()
        if "get" in operations and re.findall(r"{(\w+)}", path) == ["case_uuid"]
    )


def read_everything(client: Any, api: Any, case: Any) -> dict[str, str]:
    """What each surface answers the reader, by surface."""
    read: dict[str, str] = {}
    for name in sorted(set(case_pages())):
        response = client.get(reverse(name, kwargs={"case_uuid": case.uuid}))
        if response.status_code == 200 and response.get("Content-Type", "").startswith(
            ("text/", "application/json")
        ):
            read[f"page {name}"] = response.content.decode()
    for path in case_operations():
        response = api.get(path.removeprefix("/api/v1").replace("{case_uuid}", str(case.uuid)))
        if response.status_code == 200:
            read[f"API {path}"] = json.dumps(response.json(), ensure_ascii=False)
    return read
