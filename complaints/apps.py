from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        post_migrate.connect(_repair_search_index, sender=self)
        from accounts import pupil_record

        from . import pupil_record as section

        pupil_record.register("complaints", section.section)


def _repair_search_index(sender, using: str = "default", **kwargs) -> None:
    """On SQLite a later migration that remakes the table drops the search triggers: put them back."""
    from schoolsocial.lib import fulltext

    from .search import INDEX

    fulltext.repair_sqlite(connections[using], INDEX)
