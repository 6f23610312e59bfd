from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The one way email leaves the portal: a `Notification` row, then a delivery task."""

    name = "notifications"
    verbose_name = "Email"
