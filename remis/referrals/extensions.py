"""Registered from AppConfig.ready(): the providers' scope in the policy, the consent
withdrawal subscriber, the case page panel and the work lists."""

from __future__ import annotations


def register() -> None:
    pass
