"""Identity document numbers typed with Arabic-Indic (or Persian) digits were stored as
typed, and folded for search without those digits ("A١٢٣٤٥٦٧" searched as "a"): a search
with the digits printed on the passport found nothing. Such numbers are written 0-9 and
their cases' document search column rebuilt. Only the rows holding such digits are read."""

from collections import defaultdict

from django.db import migrations

from remis.lib.text import fold_document_number, latin_digits

EASTERN = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"


def latin_numbers(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    IdentityDocument = apps.get_model("cases", "IdentityDocument")
    affected: set[int] = set()
    for digit in EASTERN:
        for document in IdentityDocument.objects.filter(number__contains=digit).only("id", "number", "person"):
            IdentityDocument.objects.filter(pk=document.pk).update(number=latin_digits(document.number))
            affected.update(
                IdentityDocument.objects.filter(pk=document.pk)
                .exclude(person__memberships__case_id=None)
                .values_list("person__memberships__case_id", flat=True)
            )
    numbers: dict[int, list[str]] = defaultdict(list)
    rows = IdentityDocument.objects.filter(person__memberships__case_id__in=affected).values_list(
        "person__memberships__case_id", "number"
    )
    for case_id, number in rows:
        numbers[case_id].append(fold_document_number(number))
    for case_id in affected:
        Case.objects.filter(pk=case_id).update(document_text=" | ".join(numbers[case_id]))


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_submission_closed")]

    operations = [migrations.RunPython(latin_numbers, migrations.RunPython.noop)]
