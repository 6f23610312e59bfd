from django.db import migrations, models


def mark_existing_demo_schools(apps, schema_editor):
    """Demo schools made before the marker existed: all their people use the reserved .example
    domain (RFC 2606), which no real school can have."""
    School = apps.get_model("accounts", "School")
    Membership = apps.get_model("accounts", "Membership")
    for school in School.objects.filter(short_code__in=["NBP", "HVP"]):
        emails = list(Membership.objects.filter(school=school).values_list("user__email", flat=True))
        if emails and all(email.endswith(".example") for email in emails):
            School.objects.filter(pk=school.pk).update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_notification_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalschool",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="school",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_existing_demo_schools, migrations.RunPython.noop),
    ]
