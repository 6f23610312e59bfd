# StepReminder moved here from letters (the step reminder sweep is incidents/reminders.py): the table
# is taken over as it is (state only), then renamed in 0010.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_escalation_step_incident_kind_index"),
        ("letters", "0002_delivery_notification_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StepReminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("window", models.CharField(max_length=20)),
                        ("due_date", models.DateField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="incidents.escalationstep",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "letters_stepreminder",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("step", "window", "due_date"), name="unique_step_reminder_window"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
