"""The shipped assistance types, proposals by vulnerability and approval thresholds."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.assistance.configuration import seed_rules, seed_types

    seed_types(apps.get_model("assistance", "AssistanceType"))
    seed_rules(apps.get_model("assistance", "ProposalRules"), apps.get_model("assistance", "ApprovalThresholds"))


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
