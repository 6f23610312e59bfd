from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.views.home import register_panel

        from .panels import retention_panel

        register_panel(Role.HEADTEACHER, retention_panel)
        register_panel(Role.DPO, retention_panel)
