"""Renders the database owes: every rendered document's task is a row first, so none is lost.

    renders.queue(letter, render_letter, letter.pk, letter.revision)   # in the action's transaction
    with renders.running(Letter, letter_id, revision): ...             # in the task
    renders.make_again(letter)                                         # "Make it again", on a page
    renders.relay()                                                    # Celery beat, every minute

- `queue` records (or re-arms) the document's `RenderJob` and publishes its task on commit. A
  job already waiting or being made is not queued twice (a double click, many readers of a page
  whose PDF is missing), unless `force` (a draft preview of a newer revision).
- `running` marks the job "being made" while the task runs, then "made", or "could not be made"
  with the error when the task raised. Only the task run the job is waiting for changes it (a
  preview task of an older revision leaves a newer revision's job alone).
- `relay` queues again jobs that waited past RENDER_RELAY_STALE_SECONDS with no task running
  (the broker restarted, the publish failed) and jobs "being made" for longer than
  RENDER_RUNNING_TIMEOUT_SECONDS (the worker was killed). A render is safe to run twice: the
  document is stored once (`schoolsocial.lib.store_once`). After RENDER_MAX_ATTEMPTS the job is
  failed, so the page offers "Make it again" instead of waiting for ever.
- `make_again` re-arms a failed or lost job, once: a conditional UPDATE on the state it was read
  in, so two clicks queue one render.

Tasks are published by name, so this module imports no app.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from schoolsocial.lib.tasks import enqueue_now, enqueue_on_commit

from .models import RenderJob

State = RenderJob.State
RELAY_BATCH = 200


def key_for(model: type[models.Model] | models.Model, pk: int) -> str:
    return f"{model._meta.label_lower}:{pk}"


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "RENDER_RELAY_STALE_SECONDS", 300))


def running_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "RENDER_RUNNING_TIMEOUT_SECONDS", 900))


def max_attempts() -> int:
    return getattr(settings, "RENDER_MAX_ATTEMPTS", 5)


def _live(now: datetime) -> Q:
    """A job whose task is (as far as anyone can tell) on its way or running."""
    return Q(state=State.QUEUED, queued_at__gte=now - stale_after()) | Q(
        state=State.RUNNING, started_at__gte=now - running_timeout()
    )


def _rearm(now: datetime) -> dict:
    return {"state": State.QUEUED, "queued_at": now, "started_at": None, "error": "", "attempts": F("attempts") + 1}


def _signature(task_name: str):
    return current_app.signature(task_name, args=())


def queue(row: models.Model, task, *args, force: bool = False) -> bool:
    """Record that `row`'s document is owed and publish `task(*args)` on commit. False if a
    render of it was already waiting or running (nothing queued)."""
    now = timezone.now()
    key = key_for(row, row.pk)
    job, created = RenderJob.objects.get_or_create(key=key, defaults={"task": task.name, "args": list(args)})
    if not created:
        rows = RenderJob.objects.filter(pk=job.pk)
        if not force:
            rows = rows.exclude(_live(now))
        if not rows.update(task=task.name, args=list(args), **_rearm(now)):
            return False
    enqueue_on_commit(task, *args)
    return True


class running:
    """Context manager for a render task: `with renders.running(Letter, letter_id, revision):`."""

    def __init__(self, model: type[models.Model], *args) -> None:
        self.rows = RenderJob.objects.filter(key=key_for(model, args[0]), args=list(args))

    def __enter__(self) -> running:
        self.rows.exclude(state=State.DONE).update(state=State.RUNNING, started_at=timezone.now())
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.rows.update(state=State.DONE, finished_at=timezone.now(), error="")
        else:
            self.rows.update(state=State.FAILED, finished_at=timezone.now(), error=str(error)[:300])
        # Returns None: the error goes on to Celery (a retry, or the failure shown).


def job_for(row: models.Model) -> RenderJob | None:
    return RenderJob.objects.filter(key=key_for(row, row.pk)).first()


def jobs_for(model: type[models.Model], pks) -> dict[int, RenderJob]:
    """The jobs of many rows of one model (a list page), by the row's pk."""
    keys = {key_for(model, pk): pk for pk in pks}
    return {keys[job.key]: job for job in RenderJob.objects.filter(key__in=keys)}


def needs_again(job: RenderJob | None, now: datetime | None = None) -> bool:
    """True when the page should offer "Make it again": the render failed, or was lost (waiting
    or "being made" for longer than anyone should wait, the relay not having made it either)."""
    if job is None or job.state == State.DONE:
        return False
    if job.state == State.FAILED:
        return True
    now = now or timezone.now()
    if job.state == State.QUEUED:
        return job.queued_at < now - stale_after()
    return job.started_at is None or job.started_at < now - running_timeout()


def make_again(row: models.Model) -> bool:
    """Queue a failed or lost render again, once (a double click queues one). True if queued."""
    job = job_for(row)
    now = timezone.now()
    if job is None or not needs_again(job, now):
        return False
    claimed = (
        RenderJob.objects.filter(pk=job.pk, state=job.state, queued_at=job.queued_at)
        .exclude(_live(now))
        .update(**_rearm(now))
    )
    if not claimed:
        return False
    enqueue_on_commit(_signature(job.task), *job.args)
    return True


def relay(now: datetime | None = None, batch: int = RELAY_BATCH) -> dict[str, int]:
    """Queue again the renders whose task was lost; fail those lost too often."""
    now = now or timezone.now()
    left = RenderJob.objects.filter(
        Q(state=State.QUEUED, queued_at__lt=now - stale_after())
        | Q(state=State.RUNNING, started_at__lt=now - running_timeout())
    )
    requeued = failed = 0
    for job in left.order_by("queued_at")[:batch]:
        same = RenderJob.objects.filter(pk=job.pk, state=job.state, queued_at=job.queued_at)
        if job.attempts >= max_attempts():
            failed += same.update(state=State.FAILED, finished_at=now, error="It was started but never finished.")
            continue
        with transaction.atomic():
            if same.update(**_rearm(now)):
                requeued += 1
            else:
                continue
        enqueue_now(_signature(job.task), *job.args)
    return {"requeued": requeued, "failed": failed}
