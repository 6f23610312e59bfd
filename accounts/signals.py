"""Signals other apps listen to when accounts writes many rows at once (bulk writes send no
post_save): a roll import, a rollover or its undo, a destruction."""

from django.dispatch import Signal

# Sent with `school_id` after the school's classes, pupils, parent links or accounts were written
# in bulk, inside the writer's transaction.
roll_written = Signal()
