from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.views.home import register_panel

        from .cluster.panels import cluster_panel
        from .panels import case_panel

        register_panel(Role.HEADTEACHER, case_panel)
        register_panel(Role.DSL, case_panel)
        register_panel(Role.HEADTEACHER, cluster_panel)
        register_panel(Role.DSL, cluster_panel)
