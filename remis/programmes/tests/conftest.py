"""The API client and signed-in client fixtures of the case tests, shared here."""

from __future__ import annotations

from remis.cases.tests.conftest import api_client, signed_in

__all__ = ["api_client", "signed_in"]
