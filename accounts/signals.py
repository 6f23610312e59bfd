"""Signals other apps listen to when accounts writes many rows at once (bulk writes send no
post_save): a roll import, a rollover or its undo, a destruction."""

from django.dispatch import Signal

# Sent with `school_id` by a writer that changes the school's classes, pupils, parent links or
# accounts in bulk, inside its transaction (before or after its writes: listeners that cache act
# again when the transaction commits).
roll_written = Signal()
