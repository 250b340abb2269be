from __future__ import annotations

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "remis.programmes"
    label = "programmes"
    verbose_name = "AVRR programmes"
