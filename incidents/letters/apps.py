from django.apps import AppConfig


class LettersConfig(AppConfig):
    """Letters, evidence bundles and step reminders of an incident. A Django app of its own (label
    "letters") inside the incidents package, so its migrations stay apart from the incidents ones."""

    name = "incidents.letters"
    label = "letters"
    verbose_name = "Letters and referral bundles"
    default_auto_field = "django.db.models.BigAutoField"
