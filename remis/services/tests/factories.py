"""Synthetic providers and stakeholders for the service map tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from remis.accounts import actions as accounts
from remis.accounts.models import Organisation, User
from remis.accounts.system import system_actor
from remis.cases.tests.factories import PASSWORD
from remis.services import actions
from remis.services.models import Provider, Stakeholder


def provider_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Centre de Formation Kaloum (synthetic)",
        "kind": "ngo",
        "sectors": ["vocational_training"],
        "services": "Tailoring, welding and mechanics courses",
        "country": "GN",
        "area_1": "Conakry",
        "area_2": "Kaloum",
        "latitude": "9.509200",
        "longitude": "-13.712200",
        "eligibility": "Returnees aged 18 to 35",
        "documents_required": "Identity card or laissez-passer",
        "languages": "Français, Pular, Soussou",
        "contact_person": "Mme Synthétique",
        "phone": "+224 600 00 00 00",
        "email": "contact@example.org",
        "opening_hours": "Mon–Fri 8:00–16:00",
        "last_verified_on": dt.date(2026, 10, 1),
    }
    values.update(overrides)
    return values


def make_provider(actor: Any = None, **overrides: Any) -> Provider:
    return actions.create_provider(actor or system_actor(), provider_values(**overrides))


def make_stakeholder(actor: Any = None, **overrides: Any) -> Stakeholder:
    values = {
        "name": "Chambre de commerce de Conakry (synthetic)",
        "kind": "private",
        "country": "GN",
        "capacity": "Apprenticeships with member businesses",
        "interest": "Skilled workers",
        "partnership_status": "prospective",
        **overrides,
    }
    return actions.create_stakeholder(actor or system_actor(), values)


def member(username: str, organisation: Organisation, role: str, countries: list[str], **kw: Any) -> User:
    """A user with one membership; `all_countries=True` for one covering every country."""
    user = accounts.create_user(system_actor(), username=username, password=PASSWORD)
    accounts.add_membership(
        system_actor(), user=user, organisation=organisation, role=role, countries=countries, **kw
    )
    return user
