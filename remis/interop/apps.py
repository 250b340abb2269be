from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "remis.interop"
    label = "interop"
    verbose_name = "Interoperability"
