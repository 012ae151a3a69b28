"""The answer's service (送达) on the case, and timeline kinds for documents.

Cases answered before documents existed count as served at their reply: their review
window stays where it was (30 days from the reply), as the petitioner was told.
"""

from django.db import migrations, models
from django.db.models import F

from qingdan.core.migration_ops import AddFieldOnline, RunPythonInBatches


def served_at_reply(apps, rows):
    # Only rows not yet filled: a run interrupted midway is simply run again.
    rows.filter(replied_at__isnull=False, answer_served_at__isnull=True).update(
        answer_served_at=F("replied_at")
    )


class Migration(migrations.Migration):
    atomic = False  # the index CONCURRENTLY, the rows in batches

    dependencies = [
        ('cases', '0012_co_handling_opinion'),
    ]

    operations = [
        AddFieldOnline(
            model_name='case',
            name='answer_served_at',
            field=models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='answer served at'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='action',
            field=models.CharField(choices=[('register', 'Registered'), ('accept', 'Accepted'), ('not_accept', 'Not accepted'), ('divert', 'Diverted to the legal channel'), ('resolve_on_the_spot', 'Resolved on the spot'), ('escalate', 'Escalated'), ('hand_back', 'Handed back to a lower tier'), ('transfer', 'Transferred to another jurisdiction'), ('assign', 'Assigned to a lead unit'), ('co_handle', 'Co-handling unit added'), ('extend', 'Deadline extended'), ('reply', 'Replied'), ('evaluate', 'Evaluation recorded'), ('close', 'Closed'), ('reopen', 'Reopened'), ('request_review', 'Review requested'), ('closure_agreement', 'Closure agreement signed'), ('note', 'Note'), ('link', 'Linked to another case'), ('attach', 'Attachment added'), ('repeat_flag', 'Flagged as a repeat'), ('reveal', 'Personal data revealed'), ('deadline', 'Deadline event'), ('supervise', 'Supervision'), ('document', 'Document issued'), ('service', 'Document served')], max_length=24, verbose_name='action'),
        ),
        RunPythonInBatches("cases.Case", served_at_reply, batch_size=10_000),
    ]
