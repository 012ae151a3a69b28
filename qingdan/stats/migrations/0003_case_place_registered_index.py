"""An index on the cases table for the rollup's slice recounts: the cases of one place
registered in one month. Additive, created here so that the cases app's models stay
untouched; the cases app may adopt it in Case.Meta.indexes later (same name).
Built CONCURRENTLY on PostgreSQL, so that intake goes on writing cases meanwhile."""

from django.db import migrations

from qingdan.core.migration_ops import CreateIndexOnlineSQL

INDEX = "stats_case_place_registered"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("stats", "0002_overdue_counts"),
        ("cases", "0001_initial"),
    ]

    operations = [
        CreateIndexOnlineSQL("cases_case", INDEX, ["jurisdiction_id", "registered_at"]),
    ]
