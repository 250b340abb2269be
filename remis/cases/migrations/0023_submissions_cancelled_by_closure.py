"""Submissions cancelled because their case was closed were stored as "cancelled" (read
"Cancelled: consent withdrawn") before the "closed" status existed (0021). Those whose case
is closed while its consent to share with partners is still given can only have been
cancelled by the closure (a withdrawal leaves the consent withdrawn): they are set to
"closed". Submissions cancelled by a withdrawal keep "cancelled"."""

from django.db import migrations


def closed_ones(apps, schema_editor):
    Submission = apps.get_model("cases", "Submission")
    Consent = apps.get_model("cases", "Consent")
    for submission in Submission.objects.filter(status="cancelled", case__stage="closed").iterator():
        latest = (
            Consent.objects.filter(case_id=submission.case_id, purpose="sharing_with_partners")
            .order_by("-given_on", "-id")
            .values_list("given", flat=True)
            .first()
        )
        if latest:
            Submission.objects.filter(pk=submission.pk).update(status="closed")


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_document_number_digits")]

    operations = [migrations.RunPython(closed_ones, migrations.RunPython.noop)]
