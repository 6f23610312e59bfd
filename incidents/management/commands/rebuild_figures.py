"""Recount a school's kept dashboard figures from its incidents (for repair, or after a bulk load).

manage.py rebuild_figures --school CODE      (or --all)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import School
from incidents import figures


class Command(BaseCommand):
    help = "Recount the kept monthly incident figures of one school (or every school) from its incidents."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--school", help="the school's short code")
        group.add_argument("--all", action="store_true", help="every school")

    def handle(self, *args, school: str | None = None, all: bool = False, **options) -> None:
        if all:
            schools = list(School.objects.order_by("short_code"))
        else:
            found = School.objects.filter(short_code__iexact=school).first()
            if found is None:
                raise CommandError(f"No school has the short code {school!r}.")
            schools = [found]
        for each in schools:
            months = figures.rebuild_school(each.pk)
            self.stdout.write(f"{each.short_code}: {months} month(s) recounted")
