# Notification moved to the notifications app, which keeps its table: forget it here (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_school_class_history"),
        ("notifications", "0001_initial"),
        ("letters", "0002_delivery_notification_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
