from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.views.home import register_panel

        from . import panels, signals

        signals.connect()
        register_panel(Role.HEADTEACHER, panels.attention_panel)
        register_panel(Role.HEADTEACHER, panels.coverage_panel)
        register_panel(Role.HEADTEACHER, panels.charts_panel)
        register_panel(Role.GOVERNOR, panels.governor_panel)
        register_panel(Role.PARENT, panels.parent_panel)
        register_panel(Role.STAFF, panels.assigned_panel)
        register_panel(Role.DSL, panels.assigned_panel)
