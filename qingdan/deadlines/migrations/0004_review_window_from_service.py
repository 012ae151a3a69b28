"""The window to ask for review (arts. 35-36) runs from the written answer's recorded
service (送达), not from the reply: the review-window policies start at `served`."""

from django.db import migrations, models


def from_service(apps, schema_editor):
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    DeadlinePolicy.objects.filter(stage="review_request", starts_at="replied").update(
        starts_at="served"
    )


def from_reply(apps, schema_editor):
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    DeadlinePolicy.objects.filter(stage="review_request", starts_at="served").update(
        starts_at="replied"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0003_co_handling_opinion_policy'),
    ]

    operations = [
        migrations.AlterField(
            model_name='deadlinepolicy',
            name='starts_at',
            field=models.CharField(choices=[('received', 'Receipt (registration)'), ('accepted', 'Acceptance (start of handling)'), ('replied', 'Written reply'), ('served', 'Service of the written answer')], default='received', max_length=12, verbose_name='clock starts at'),
        ),
        migrations.RunPython(from_service, from_reply),
    ]
