from django.db import migrations, models


class Migration(migrations.Migration):
    """Sessions scheduled before tests were data keep the passage length they were given (`slot_fixed` true for
    them); new ones compute each candidate's passage from the tests of the blocks they sit unless told otherwise."""

    dependencies = [
        ("evaluations", "0005_session_cancelled_releases_places"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluationsession",
            name="slot_fixed",
            field=models.BooleanField(default=True, verbose_name="durée de passage imposée par l'organisme"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="evaluationsession",
            name="slot_fixed",
            field=models.BooleanField(default=False, verbose_name="durée de passage imposée par l'organisme"),
        ),
    ]
