"""An index on the cases table for the rollup's slice recounts: the cases of one place
registered in one month. Additive, created here so that the cases app's models stay
untouched; the cases app may adopt it in Case.Meta.indexes later (same name)."""

from django.db import migrations

INDEX = "stats_case_place_registered"


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_overdue_counts"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case (jurisdiction_id, registered_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
