"""The statutory deadline policies (信访工作条例, hotline practice) and the official
holidays and adjusted workdays chinese-calendar knows, as editable data."""

from django.db import migrations


def seed(apps, schema_editor):
    from qingdan.deadlines.seed import seed_calendar, seed_policies

    seed_policies(apps)
    seed_calendar(apps)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
