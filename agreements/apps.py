from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"

    def ready(self) -> None:
        from . import signals

        signals.connect()

        from accounts import pupil_record

        from . import pupil_record as section

        pupil_record.register("agreements", section.section)
