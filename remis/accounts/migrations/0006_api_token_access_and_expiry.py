# Tokens get an access (read only, or read and write) and an expiry. Tokens made before this
# could write, and had no end: they keep writing and last 90 days from the migration, so that
# the scripts using them keep working while their owners make new ones.

import remis.accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_administration"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")],
                default="read_write",  # for the tokens already there
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")],
                default="read",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=remis.accounts.models.default_token_expiry),
        ),
    ]
