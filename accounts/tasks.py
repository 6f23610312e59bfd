"""Celery finds each app's tasks here. The MIS import's tasks live with the import."""

from .roll.tasks import apply_roll_import, preview_roll_import  # noqa: F401
