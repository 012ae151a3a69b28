"""The default limit of a co-handling unit's opinion to the lead unit (协办意见): 7 days
from the co-handling request, as data an administrator adjusts."""

from django.db import migrations, models


STAGES = [
    ("accept", "Acceptance notice"),
    ("assign", "Transfer or assignment"),
    ("handle", "Handling"),
    ("review_request", "Review request window"),
    ("co_opinion", "Co-handling opinion"),
]


def seed(apps, schema_editor):
    from qingdan.deadlines.seed import CO_OPINION_POLICY, seed_policies

    seed_policies(apps, names={CO_OPINION_POLICY["name"]})


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_statutory_defaults")]

    operations = [
        migrations.AlterField(
            model_name="deadlinealert",
            name="stage",
            field=models.CharField(
                choices=STAGES,
                max_length=16,
                verbose_name="stage",
            ),
        ),
        migrations.AlterField(
            model_name="deadlinepolicy",
            name="stage",
            field=models.CharField(
                choices=STAGES,
                max_length=16,
                verbose_name="stage",
            ),
        ),
        migrations.AlterField(
            model_name="deadlinepolicy",
            name="starts_at",
            field=models.CharField(
                choices=[
                    ("received", "Receipt (registration)"),
                    ("accepted", "Acceptance (start of handling)"),
                    ("replied", "Written reply"),
                    ("co_handling", "Co-handling request (unit added)"),
                ],
                default="received",
                max_length=12,
                verbose_name="clock starts at",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
