"""REMIS's own script asks for confirmation before a form marked `data-confirm` is sent
(deleting an export, removing a partner...). It listens on the document, so it must run
before any button can be clicked: loaded in the head, neither deferred nor async. Deferred,
a quick click on a slow page sent the form unconfirmed (seen in a browser test)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_confirmation_script_runs_before_the_page_can_be_clicked(client, world):
    client.force_login(world.alice)
    page = client.get("/", follow=True).content.decode()
    head = page.split("</head>", 1)[0]
    tags = re.findall(r"<script[^>]*remis/remis[^>]*\.js[^>]*>", head)
    assert len(tags) == 1, tags
    assert not re.search(r"\b(defer|async)\b", tags[0])
