from django.db import migrations, models

from qingdan.core.migration_ops import AddFieldOnline, RunPythonInBatches


def start_from_warning(apps, rows):
    # The worker looks once at every case from its warning on, then moves the check.
    # Only rows not yet filled: a run interrupted midway is simply run again.
    rows.filter(warn_at__isnull=False, next_check_at__isnull=True).update(
        next_check_at=models.F("warn_at")
    )


class Migration(migrations.Migration):
    # A large installation runs this while it serves: the column's index is built
    # CONCURRENTLY on PostgreSQL and the column is filled 10,000 cases at a time, each
    # batch its own transaction (qingdan.core.migration_ops), hence not atomic.
    atomic = False

    dependencies = [
        ("cases", "0004_personal_data_access_log"),
    ]

    operations = [
        AddFieldOnline(
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
        RunPythonInBatches("cases.Case", start_from_warning, batch_size=10_000, elidable=True),
    ]
