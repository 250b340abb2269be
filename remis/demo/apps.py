from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "remis.demo"
    label = "demo"
    verbose_name = "Synthetic demo and scale data"
