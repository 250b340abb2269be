# The organisation's own identifier of a case, by which imports find it again.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_administration'),
        ('cases', '0011_consent_groups'),
        ('programmes', '0014_indicators_permission'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseaccess',
            name='external_id',
            field=models.CharField(blank=True, db_default='', default='', max_length=64, verbose_name='external ID'),
        ),
        migrations.AddConstraint(
            model_name='caseaccess',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('organisation', 'external_id'), name='one_external_id_per_org'),
        ),
    ]
