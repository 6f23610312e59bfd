"""The one way a sweep decides once: every daily reminder sweep calls `decide_once`.

    decide_once([StepReminder(step=step, window="overdue", due_date=step.due_date)],
                send=lambda rows: notify(key=..., to=[owner.email], ...))

A decision is one or more rows of a model with a unique constraint (one reminder per step and
window, per parent and stage, per policy version and window...). `decide_once` inserts the rows
and calls `send` with them inside ONE savepoint (a transaction of its own when none is open):

- the rows and the notification `send` writes commit together or not at all, so a sweep that
  is interrupted (a crash, a database error, a broker that is down) never leaves a decision
  without its email, nor an email without its decision: the next run simply decides again;
- a row that exists already (an earlier run, a concurrent one, a redelivered task) makes the
  insert fail on the unique constraint; that decision is dropped, and nothing is sent twice. On
  PostgreSQL a concurrent insert of the same row waits for the other transaction and then fails,
  so two sweeps running at once send each reminder exactly once;
- when `send` sends nothing (it returns a falsy value: nobody to email yet, or the email's own
  key says it exists already), the rows are not kept either, so a later run can still send.

For a group (one email about several decisions), rows that another run recorded first are
dropped and the rest tried again, so each decision is in exactly one email.

Pure: imports no app. The caller passes its model rows and its `send`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from django.db import IntegrityError, models, transaction

Row = TypeVar("Row", bound=models.Model)


class _NothingSent(Exception):
    """Raised inside the savepoint to undo decisions whose email was not written."""


def decide_once(rows: Sequence[Row], send: Callable[[list[Row]], object]) -> list[Row]:
    """Record `rows` and what `send` writes, once. Returns the rows recorded now ([] if none)."""
    pending = list(rows)
    while pending:
        try:
            with transaction.atomic():
                for row in pending:
                    row.save(force_insert=True)
                if not send(pending):
                    raise _NothingSent
            return pending
        except _NothingSent:
            _forget_saved(pending)
            return []
        except IntegrityError:
            _forget_saved(pending)
            # Another run recorded these (or some of a group) first: email about the rest only.
            still_open = [row for row in pending if not _already_recorded(row)]
            if len(still_open) == len(pending):
                raise  # not a decision made elsewhere: a real error
            pending = still_open
    return []


def _forget_saved(rows: Sequence[models.Model]) -> None:
    """The savepoint was rolled back: the rows are unsaved again."""
    for row in rows:
        row.pk = None
        row._state.adding = True


def _already_recorded(row: models.Model) -> bool:
    """Whether a row with the same unique fields as `row` exists."""
    for constraint in row._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None:
            attnames = [cast(models.Field, row._meta.get_field(name)).attname for name in constraint.fields]
            lookup = {attname: getattr(row, attname) for attname in attnames}
            if type(row)._default_manager.filter(**lookup).exists():
                return True
    return False
