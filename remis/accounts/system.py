"""The system actor: the identity of writes no person makes (set-up commands, the demo
loader, scheduled jobs). Actions take it like any actor, so every write is attributed and
audited; `None` is never an actor, and an action given None refuses.

It is an inactive user named "system": inactive users cannot sign in or use API tokens,
so nobody can act as it from outside; code that needs it asks `system_actor()`.
"""

from __future__ import annotations

from typing import Any

from remis.accounts.models import User

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The system user, created on first use (a flushed test database has none)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "REMIS", "last_name": "(system)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system(actor: Any) -> bool:
    return (
        actor is not None
        and getattr(actor, "username", None) == SYSTEM_USERNAME
        and not getattr(actor, "is_active", True)
        and getattr(actor, "pk", None) is not None
    )
