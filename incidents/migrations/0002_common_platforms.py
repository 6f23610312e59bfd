"""Fill the platform directory with the services families and staff most often report."""

from django.db import migrations

PLATFORMS = [
    # name, report-abuse link, rules link, minimum age, notes
    (
        "Facebook",
        "https://www.facebook.com/help/263149623790594",
        "https://transparency.meta.com/policies/community-standards/",
        13,
        "Use the three dots beside the post, then “Report post”. Groups have their own admins who can also remove posts.",
    ),
    (
        "Instagram",
        "https://help.instagram.com/2922067214679225",
        "https://help.instagram.com/477434105621119",
        13,
        "Report from the post's menu. An account that looks under 13 can be reported with Instagram's under-age form.",
    ),
    (
        "WhatsApp",
        "https://faq.whatsapp.com/414631957536067",
        "https://www.whatsapp.com/legal/terms-of-service",
        13,
        "Messages are end-to-end encrypted: WhatsApp only sees messages someone reports, so keep screenshots.",
    ),
    (
        "Snapchat",
        "https://help.snapchat.com/hc/en-gb/articles/7012399221652",
        "https://values.snap.com/privacy/transparency/community-guidelines",
        13,
        "Snaps disappear: a screenshot taken at once is often the only evidence.",
    ),
    (
        "TikTok",
        "https://support.tiktok.com/en/safety-hc/report-a-problem",
        "https://www.tiktok.com/community-guidelines",
        13,
        "Press and hold on the video, then “Report”.",
    ),
    (
        "X (Twitter)",
        "https://help.x.com/en/rules-and-policies/x-report-violation",
        "https://help.x.com/en/rules-and-policies/x-rules",
        13,
        "Report from the post's menu; keep the full link to the post.",
    ),
    (
        "YouTube",
        "https://support.google.com/youtube/answer/2802027",
        "https://www.youtube.com/howyoutubeworks/policies/community-guidelines/",
        13,
        "Report the video or comment from its menu. Comments can also be reported to the channel owner.",
    ),
    (
        "Discord",
        "https://support.discord.com/hc/en-us/articles/360000291932",
        "https://discord.com/guidelines",
        13,
        "Server moderators can act quickly; Discord's Trust and Safety team handles serious reports.",
    ),
    (
        "Roblox",
        "https://en.help.roblox.com/hc/en-us/articles/203312410",
        "https://en.help.roblox.com/hc/en-us/articles/203313410",
        None,
        "Roblox allows children of any age, with extra settings for under-13s. Use “Report abuse” in the game menu.",
    ),
    (
        "Class or parents' chat group",
        "",
        "",
        None,
        "Chat groups run by parents have no abuse desk: the group's admin can remove posts and people.",
    ),
    ("Other", "", "", None, "Write the service's name in the report."),
]


def add_platforms(apps, schema_editor):
    Platform = apps.get_model("incidents", "Platform")
    for order, (name, report_url, rules_url, minimum_age, notes) in enumerate(PLATFORMS, start=1):
        Platform.objects.update_or_create(
            name=name,
            defaults={
                "report_url": report_url,
                "rules_url": rules_url,
                "minimum_age": minimum_age,
                "notes": notes,
                "sort_order": 1000 if name == "Other" else order * 10,
            },
        )


def remove_platforms(apps, schema_editor):
    Platform = apps.get_model("incidents", "Platform")
    Platform.objects.filter(name__in=[p[0] for p in PLATFORMS], incidents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(add_platforms, remove_platforms)]
