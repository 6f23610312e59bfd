from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.views.home import register_panel

        from .panels import parent_panel, staff_panel

        register_panel(Role.HEADTEACHER, staff_panel)
        register_panel(Role.OFFICE, staff_panel)
        register_panel(Role.PARENT, parent_panel)
