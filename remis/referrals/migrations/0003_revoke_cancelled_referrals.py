"""Referrals cancelled before cancelling withdrew them from the provider (the provider kept
reading the returnee's name and phone for good): withdrawn now, as a cancellation does."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def revoke(apps: Any, schema_editor: Any) -> None:
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(status="cancelled", revoked=False).update(revoked=True)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_seed_rules")]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
