"""Forget a school's cached coverage (agreements.coverage) whenever something it counts is written."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from . import coverage


def _school_row_changed(sender, instance, **kwargs) -> None:
    coverage.forget(instance.school_id)


def _link_changed(sender, instance, **kwargs) -> None:
    from accounts.models import Pupil

    coverage.forget(Pupil.objects.filter(pk=instance.pupil_id).values_list("school_id", flat=True).first())


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    # Only a parent whose account is switched off or on leaves or rejoins the count; signing in
    # (last_login) and the like change nothing counted.
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    from accounts.models import Membership

    for school_id in Membership.objects.filter(user_id=instance.pk).values_list("school_id", flat=True):
        coverage.forget(school_id)


def _roll_written(sender, school_id, **kwargs) -> None:
    coverage.forget(school_id)


def connect() -> None:
    from accounts.models import ParentLink, Pupil, SchoolClass, User
    from accounts.signals import roll_written

    from .models import AgreementVersion, Signature

    for signal in (post_save, post_delete):
        for model in (Signature, Pupil, SchoolClass, AgreementVersion):
            signal.connect(_school_row_changed, sender=model, dispatch_uid=f"coverage-{model.__name__}-{signal}")
        signal.connect(_link_changed, sender=ParentLink, dispatch_uid=f"coverage-ParentLink-{signal}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="coverage-User-saved")
    roll_written.connect(_roll_written, dispatch_uid="coverage-roll-written")
