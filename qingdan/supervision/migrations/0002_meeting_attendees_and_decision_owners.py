# Joint meetings record who attended (people and units); a decision is owned by one or
# more people and/or a unit instead of exactly one person (its owner is kept as the
# first of its owners).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owner_to_owners(apps, schema_editor):
    """A decision's one owner becomes the first of its owners."""
    decision_model = apps.get_model("supervision", "MeetingDecision")
    for decision in decision_model.objects.exclude(owner=None):
        decision.owners.add(decision.owner_id)


def owners_to_owner(apps, schema_editor):
    decision_model = apps.get_model("supervision", "MeetingDecision")
    for decision in decision_model.objects.all():
        first = decision.owners.order_by("pk").first()
        if first is not None:
            decision.owner_id = first.pk
            decision.save(update_fields=["owner"])


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_default_categories'),
        ('supervision', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='jointmeeting',
            name='attendees',
            field=models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='attendees'),
        ),
        migrations.AddField(
            model_name='jointmeeting',
            name='attending_units',
            field=models.ManyToManyField(blank=True, related_name='+', to='orgs.department', verbose_name='attending units'),
        ),
        migrations.AddField(
            model_name='meetingdecision',
            name='owner_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.department', verbose_name='owning unit'),
        ),
        migrations.AddField(
            model_name='meetingdecision',
            name='owners',
            field=models.ManyToManyField(blank=True, related_name='meeting_decisions_owned', to=settings.AUTH_USER_MODEL, verbose_name='owners'),
        ),
        migrations.RunPython(owner_to_owners, owners_to_owner),
        migrations.RemoveField(
            model_name='meetingdecision',
            name='owner',
        ),
        migrations.AlterField(
            model_name='meetingdecision',
            name='owners',
            field=models.ManyToManyField(blank=True, related_name='meeting_decisions', to=settings.AUTH_USER_MODEL, verbose_name='owners'),
        ),
    ]
