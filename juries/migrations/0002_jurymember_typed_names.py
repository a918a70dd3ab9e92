"""A jury member keeps the names and address the proposer typed; the account is linked only when the registry
created it or its owner confirmed (so `user` may be empty). Existing members take their account's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_from_accounts(apps, schema_editor):
    JuryMember = apps.get_model("juries", "JuryMember")
    for member in JuryMember.objects.select_related("user"):
        member.first_name = member.user.first_name
        member.last_name = member.user.last_name
        member.email = member.user.email
        member.save(update_fields=["first_name", "last_name", "email"])


class Migration(migrations.Migration):
    dependencies = [
        ("juries", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="jurymember",
            options={
                "ordering": ["last_name", "first_name", "pk"],
                "verbose_name": "membre de jury",
                "verbose_name_plural": "membres de jury",
            },
        ),
        migrations.AddField(
            model_name="jurymember",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="adresse e-mail"),
        ),
        migrations.AddField(
            model_name="jurymember",
            name="first_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="prénom"),
        ),
        migrations.AddField(
            model_name="jurymember",
            name="last_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="nom"),
        ),
        migrations.AlterField(
            model_name="jurymember",
            name="user",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="jury_member",
                to=settings.AUTH_USER_MODEL,
                verbose_name="compte",
            ),
        ),
        migrations.RunPython(copy_from_accounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="jurymember",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email", ""), _negated=True),
                fields=("email",),
                name="one_member_per_email",
                violation_error_message="Cette adresse est déjà dans le registre des membres de jury.",
            ),
        ),
    ]
