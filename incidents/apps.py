from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        post_migrate.connect(_repair_search_index, sender=self)
        from schoolsocial.lib import fulltext

        # Searches (here and in complaints) are planned for their words, never from a cached plan.
        connection_created.connect(fulltext.guard_search_plans, dispatch_uid="fulltext.guard_search_plans")
        from . import signals

        signals.connect()

        from accounts import pupil_record

        from . import pupil_record as section

        pupil_record.register("incidents", section.section)


def _repair_search_index(sender, using: str = "default", **kwargs) -> None:
    """On SQLite a later migration that remakes the table drops the search triggers: put them back."""
    from schoolsocial.lib import fulltext

    from .search import INDEX

    fulltext.repair_sqlite(connections[using], INDEX)
