from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.views.home import register_panel

        from . import panels

        register_panel(Role.HEADTEACHER, panels.headteacher_panel)
        register_panel(Role.GOVERNOR, panels.governor_panel)
        register_panel(Role.STAFF, panels.staff_panel)
        register_panel(Role.DSL, panels.staff_panel)
