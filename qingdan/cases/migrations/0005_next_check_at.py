from django.db import migrations, models


def start_from_warning(apps, schema_editor):
    # The worker looks once at every case from its warning on, then moves the check.
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(warn_at__isnull=False).update(next_check_at=models.F("warn_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_personal_data_access_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="next_check_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                editable=False,
                null=True,
                verbose_name="next deadline check",
            ),
        ),
        migrations.RunPython(start_from_warning, migrations.RunPython.noop, elidable=True),
    ]
