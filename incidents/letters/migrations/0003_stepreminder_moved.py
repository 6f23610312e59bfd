# StepReminder moved to the incidents app, which keeps its table: forget it here (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0002_delivery_notification_moved"),
        ("incidents", "0009_stepreminder_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StepReminder")],
            database_operations=[],
        ),
    ]
