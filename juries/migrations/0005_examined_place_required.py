# The place a decision examined is always known (filled by 0004 in its own transaction: PostgreSQL refuses to
# alter a table with pending deferred foreign-key checks).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("juries", "0004_result_lifecycle"),
    ]

    operations = [
        migrations.AlterField(
            model_name='decision',
            name='examined_place',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions_ever', to='evaluations.sessioncandidate', verbose_name='candidat examiné'),
        ),
    ]
