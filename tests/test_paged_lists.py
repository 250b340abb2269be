"""Every paged list of the API answers the same shape, as docs/architecture.md promises:
`{items, count, count_capped, limit, offset}`. Read from the OpenAPI schema, so a new list
is held to it without a row written for it (five lists lacked `count_capped`)."""

from __future__ import annotations

from typing import Any

from remis.api import api

PAGE = {"items", "count", "count_capped", "limit", "offset"}


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_paged_list_answers_items_count_count_capped_limit_and_offset() -> None:
    schema = api.get_openapi_schema()
    paged = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        content = get["responses"].get(200, {}).get("content", {}).get("application/json")
        if not content:
            continue
        body = _resolved(schema, content["schema"])
        fields = set(body.get("properties", {}))
        if {"items", "count"} <= fields:
            paged[path] = fields
    assert len(paged) >= 15, sorted(paged)
    lacking = {path: sorted(PAGE - fields) for path, fields in paged.items() if not PAGE <= fields}
    assert not lacking
