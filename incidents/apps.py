from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from . import signals

        signals.connect()

        from accounts import pupil_record

        from . import pupil_record as section

        pupil_record.register("incidents", section.section)
