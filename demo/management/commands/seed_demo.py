"""Build (or refresh) the demo cluster and print the logins.

Idempotent: running it twice leaves one copy of everything. Each area's demo data is a module of
this package with `seed(schools, options, stdout)`, run in DEMO_MODULES order; sizes such as
`--incidents 10000` are passed through for benchmarks.

It refuses to run unless DEBUG is on (or --i-know-this-is-not-production is given), and it never
touches a school it did not create (School.is_demo): the demo password and printed recovery codes
must never reach a real school's accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Cluster, Membership, Role, School, User
from demo import agreements as demo_agreements
from demo import complaints as demo_complaints
from demo import emails as demo_emails
from demo import incidents as demo_incidents
from demo import policies as demo_policies
from demo import roll as demo_roll

DEMO_PASSWORD = "schoolsocial-demo-2026"

SCHOOLS = [
    {
        "short_code": "NBP",
        "name": "Northbrook Primary School",
        "domain": "northbrook.example",
        "address": "Northbrook Primary School\n14 Mill Lane\nNorthbrook\nNB4 7QT",
        "phone": "01632 960 114",
        "headteacher": "Mrs Aisha Rahman",
        # Northbrook's governor chairs the board: an allegation about the headteacher goes to them.
        "chair": "governor",
        "people": {
            Role.HEADTEACHER: ("head", "Aisha Rahman"),
            Role.DSL: ("dsl", "Tom Whitfield"),
            Role.STAFF: ("staff", "Priya Nair"),
            Role.GOVERNOR: ("governor", "Geoffrey Lamb"),
            Role.OFFICE: ("office", "Carol Dempsey"),
            Role.DPO: ("dpo", "Joanne Whitaker"),
        },
    },
    {
        "short_code": "HVP",
        "name": "Hollins Vale Primary School",
        "domain": "hollinsvale.example",
        "address": "Hollins Vale Primary School\nChapel Road\nHollins Vale\nHV2 3LB",
        "phone": "01632 960 287",
        "headteacher": "Mr Daniel Okafor",
        "people": {
            Role.HEADTEACHER: ("head", "Daniel Okafor"),
            Role.DSL: ("dsl", "Ruth Ellison"),
            Role.STAFF: ("staff", "Marek Nowak"),
            Role.GOVERNOR: ("governor", "Helen Barraclough"),
            Role.OFFICE: ("office", "Sunil Mehta"),
            Role.DPO: ("dpo", "Martin Osei"),
        },
    },
]

# Policies first: the demo letters quote the policy in force; emails last (it marks some as failed).
DEMO_MODULES = [demo_policies, demo_incidents, demo_agreements, demo_complaints, demo_emails]


class Command(BaseCommand):
    help = "Create or refresh the demo cluster (two schools, staff, pupils, parents) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=None, help="How many demo incidents per school.")
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Run although DEBUG is off (a test or staging database that holds no real school).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo only runs with DEBUG on: it creates accounts with a published password. "
                "On a database that holds no real school, add --i-know-this-is-not-production."
            )
        taken = School.objects.filter(short_code__in=[spec["short_code"] for spec in SCHOOLS], is_demo=False)
        if taken.exists():
            codes = ", ".join(sorted(taken.values_list("short_code", flat=True)))
            raise CommandError(
                f"A school that is not demo data already uses the code {codes}: seed_demo changes nothing."
            )
        # Demo people have made-up addresses: whatever the demo data triggers (reminders, alerts)
        # is recorded as usual but never leaves the machine.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.seed(options)

    def seed(self, options) -> None:
        with transaction.atomic():
            cluster, _ = Cluster.objects.get_or_create(name="Riverbend Schools Partnership")
            schools, logins = [], []
            for spec in SCHOOLS:
                school, school_logins = self.seed_school(cluster, spec)
                schools.append(school)
                logins.extend(school_logins)
        for module in DEMO_MODULES:
            module.seed(schools, options, self.stdout)
        if not options["quiet"]:
            self.print_logins(logins)

    def seed_school(self, cluster: Cluster, spec: dict) -> tuple[School, list[tuple]]:
        school, _ = School.objects.update_or_create(
            short_code=spec["short_code"],
            defaults={
                "name": spec["name"],
                "address": spec["address"],
                "phone": spec["phone"],
                "email": f"office@{spec['domain']}",
                "headteacher_name": spec["headteacher"],
                "cluster": cluster,
                "is_demo": True,
            },
        )
        logins: list[tuple[str, str, str, list[str]]] = []
        code = spec["short_code"].lower()
        for role, (local, name) in spec["people"].items():
            user = self.demo_user(f"{local}@{spec['domain']}", name)
            membership, _ = Membership.objects.update_or_create(
                user=user, school=school, role=role, defaults={"is_chair": spec.get("chair") == local}
            )
            recovery = []
            if membership.requires_two_factor:  # the chair signs in as the case roles do
                recovery = self.demo_two_factor(user, f"{code}-{local}")
            logins.append((school.short_code, membership.role_label, user.email, recovery))

        # Pupils, parents and carers arrive as a real school's do: the MIS export through the roll
        # import, then each child's first carer accepts their invitation.
        office = User.objects.get(email=f"{spec['people'][Role.OFFICE][0]}@{spec['domain']}")
        demo_roll.import_files(school, office)
        parents = demo_roll.accept_invitations(school, office, DEMO_PASSWORD)
        # The next import links the MIS contacts to the new accounts, with the title, phone and
        # address the letters need ("Dear Mrs Achterberg").
        demo_roll.import_files(school, office)
        for number, (parent, link) in enumerate(parents, start=1):
            self.demo_user(parent.email, parent.full_name)
            if number <= 2:
                logins.append((school.short_code, f"Parent of {link.pupil.full_name}", parent.email, []))
        return school, logins

    def demo_user(self, email: str, name: str) -> User:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def demo_two_factor(self, user: User, prefix: str) -> list[str]:
        """Demo users get an authenticator already set up and printed recovery codes, so the demo
        needs no phone. Running the command again restores any codes that were used."""
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
        codes = [f"{prefix}-{i}" for i in range(1, 11)]
        two_factor.set_recovery_codes(user, codes)
        return codes[:3]

    def print_logins(self, logins: list[tuple]) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Demo logins (password for every account: {DEMO_PASSWORD})"))
        out.write("Headteachers, DSLs, office staff and the chair of governors also need a code: use one of the")
        out.write("recovery codes shown (each works once; run `make seed` again to restore them).")
        out.write("")
        for school, role, email, recovery in logins:
            codes = f"  codes: {', '.join(recovery)}" if recovery else ""
            out.write(f"  {school}  {role:<34} {email:<32}{codes}")
        out.write("")
