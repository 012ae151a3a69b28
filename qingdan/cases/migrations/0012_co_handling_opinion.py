"""A co-handling unit's opinion to the lead unit (协办意见), its limit, when and by whom."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from qingdan.core.migration_ops import AddFieldOnline


class Migration(migrations.Migration):
    atomic = False  # AddFieldOnline: the index CONCURRENTLY, the key NOT VALID then validated

    dependencies = [
        ('cases', '0011_case_receiving_leader'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='cohandling',
            name='opinion',
            field=models.TextField(blank=True, verbose_name='co-handling opinion'),
        ),
        migrations.AddField(
            model_name='cohandling',
            name='opinion_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='opinion given at'),
        ),
        AddFieldOnline(
            model_name='cohandling',
            name='opinion_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='opinion given by'),
        ),
        migrations.AddField(
            model_name='cohandling',
            name='opinion_due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='opinion due'),
        ),
    ]
