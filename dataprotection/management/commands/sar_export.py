"""Gather everything about one pupil or one person, unreviewed, for a DPO at the command line.

    manage.py sar_export --school NBP --pupil 42 --out request.zip
    manage.py sar_export --school NBP --email jo@example.org --out request.zip

--pupil takes the pupil's UPN when the portal holds one, or their number in the portal. Nothing is
redacted: the ZIP is the DPO's working copy, not a release. Prints the counts per kind.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Pupil, School, User
from dataprotection.export import write_zip
from dataprotection.gather import counts, gather


class Command(BaseCommand):
    help = "Gather everything the portal holds about a pupil or a person into a ZIP (unreviewed)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's short code, for example NBP.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--pupil", help="The pupil's UPN, or their number in the portal.")
        who.add_argument("--email", help="The email address of a parent, carer or member of staff.")
        parser.add_argument("--out", required=True, help="Where to write the ZIP.")

    def handle(self, *args, school: str, pupil: str | None, email: str | None, out: str, **options):
        found = School.objects.filter(short_code=school.upper()).first()
        if found is None:
            raise CommandError(f"No school has the code {school}.")
        subject_pupil = subject_person = None
        if pupil:
            subject_pupil = self._pupil(found, pupil.strip())
            heading = f"Everything held about {subject_pupil.full_name} at {found.name}"
        elif email is not None:
            subject_person = User.objects.filter(email__iexact=email.strip(), memberships__school=found).first()
            if subject_person is None:
                raise CommandError(f"Nobody with the email address {email} belongs to {found.name}.")
            heading = f"Everything held about {subject_person.full_name} at {found.name}"
        else:
            raise CommandError("Give the pupil (--pupil) or the person's email address (--email).")
        items = gather(found, pupil=subject_pupil, person=subject_person)
        with open(out, "wb") as handle:
            write_zip(items, handle, heading=heading)
        for kind, number in counts(items).items():
            self.stdout.write(f"{kind}: {number}")
        self.stdout.write(self.style.SUCCESS(f"{len(items)} items written to {out} (not reviewed, nothing redacted)."))

    def _pupil(self, school: School, value: str) -> Pupil:
        pupils = Pupil.objects.filter(school=school)
        if any(field.name == "upn" for field in Pupil._meta.fields):
            by_upn = pupils.filter(upn__iexact=value).first()
            if by_upn is not None:
                return by_upn
        if value.isdigit():
            by_id = pupils.filter(pk=int(value)).first()
            if by_id is not None:
                return by_id
        raise CommandError(f"{school.name} has no pupil {value}.")
