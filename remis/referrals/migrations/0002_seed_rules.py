"""The shipped referral rules (overdue days), from defaults/referrals.yaml."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.referrals.configuration import seed_rules

    seed_rules(apps.get_model("referrals", "ReferralRules"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
