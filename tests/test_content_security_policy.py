"""Every page carries a Content-Security-Policy that allows scripts and styles only from the
site's own files, and no template relies on what that policy refuses (inline scripts, inline
event handlers, style attributes or elements). The browser tests fail on any violation the
browser reports; these catch it without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD, register

ROOT = Path(__file__).resolve().parent.parent


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_pages_carry_a_policy_allowing_only_own_scripts_and_styles(client, world, alice):
    case = register(world)
    anonymous = client.get(reverse("login"))
    client.login(username=alice.username, password=PASSWORD)
    signed_in = client.get(reverse("case_detail", args=[case.uuid]))
    for response in (anonymous, signed_in):
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


INLINE = {
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
}


def test_no_template_needs_what_the_policy_refuses():
    found = []
    for template in sorted((ROOT / "remis").rglob("templates/**/*.html")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}: {match.group(0)[:80]}")
    assert not found, "\n".join(found)
