from django.conf import settings
from django.db import migrations, models

from qingdan.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (intake and the worker go on writing
    # cases during the build), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ('cases', '0005_next_check_at'),
        ('orgs', '0002_default_categories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexOnline(
            model_name='case',
            index=models.Index(fields=['state', 'accept_due_at'], name='case_state_accept_due'),
        ),
    ]
