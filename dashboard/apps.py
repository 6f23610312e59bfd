from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Each role's landing page. It reads every app; no app imports it."""

    name = "dashboard"
    verbose_name = "Dashboard"
