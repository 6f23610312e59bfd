from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from accounts import pupil_record

        from . import pupil_record as section

        pupil_record.register("complaints", section.section)
