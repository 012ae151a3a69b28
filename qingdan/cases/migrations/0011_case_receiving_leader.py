"""Walk-in reception (坐班接访): the leader on duty who received the petitioner."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from qingdan.core.migration_ops import AddFieldOnline


class Migration(migrations.Migration):
    atomic = False  # AddFieldOnline: the index CONCURRENTLY, the key NOT VALID then validated

    dependencies = [
        ('cases', '0010_timeline_take_over_add_petitioner_co_opinion'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddFieldOnline(
            model_name='case',
            name='receiving_leader',
            field=models.ForeignKey(blank=True, help_text='The leader who received the petitioner at a walk-in reception (接访领导).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='received_cases', to=settings.AUTH_USER_MODEL, verbose_name='receiving leader'),
        ),
    ]
