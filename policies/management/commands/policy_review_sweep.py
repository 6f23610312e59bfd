"""Run the policy review reminder sweep by hand (the same code the daily Celery beat task runs)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from policies.actions import run_review_sweep


class Command(BaseCommand):
    help = "Email policy owners whose review dates are 60, 30 or 7 days away, or overdue. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this date (YYYY-MM-DD), for testing.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Give the date as YYYY-MM-DD, for example 2026-09-01.") from error
        result = run_review_sweep(today)
        self.stdout.write(
            f"Checked {result.considered} policy versions; {result.reminders} new reminders in {result.emails} emails."
        )
