"""New kinds of timeline events: taken over by a higher tier (提级办理), petitioner added,
co-handling opinion (协办意见); hand_back now reads "passed down to the lower tier"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0009_petitioner_id_type'),
    ]

    operations = [
        migrations.AlterField(
            model_name='caseevent',
            name='action',
            field=models.CharField(choices=[('register', 'Registered'), ('accept', 'Accepted'), ('not_accept', 'Not accepted'), ('divert', 'Diverted to the legal channel'), ('resolve_on_the_spot', 'Resolved on the spot'), ('escalate', 'Escalated'), ('hand_back', 'Passed down to the lower tier'), ('transfer', 'Transferred to another jurisdiction'), ('assign', 'Assigned to a lead unit'), ('co_handle', 'Co-handling unit added'), ('extend', 'Deadline extended'), ('reply', 'Replied'), ('evaluate', 'Evaluation recorded'), ('close', 'Closed'), ('reopen', 'Reopened'), ('request_review', 'Review requested'), ('closure_agreement', 'Closure agreement signed'), ('note', 'Note'), ('link', 'Linked to another case'), ('attach', 'Attachment added'), ('repeat_flag', 'Flagged as a repeat'), ('reveal', 'Personal data revealed'), ('deadline', 'Deadline event'), ('supervise', 'Supervision'), ('take_over', 'Taken over by a higher tier'), ('add_petitioner', 'Petitioner added'), ('co_opinion', 'Co-handling opinion')], max_length=24, verbose_name='action'),
        ),
    ]
