# Two engineers generated the same change at the same minute and other apps' first migrations
# depend on each name; the change lives in 0003_notification_sending and this one is a no-op that
# keeps both names in one straight line.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification_sending"),
    ]

    operations = []
