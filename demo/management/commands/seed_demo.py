"""Build (or refresh) the demo cluster and print the logins.

Idempotent: running it twice leaves one copy of everything. Each area's demo data is a module of
this package with `seed(schools, options, stdout)`, run in DEMO_MODULES order; sizes such as
`--incidents 10000` are passed through for benchmarks.

It refuses to run unless DEBUG is on (or --i-know-this-is-not-production is given), and it never
touches a school it did not create (School.is_demo): the demo password and printed recovery codes
must never reach a real school's accounts.
"""

from __future__ import annotations

import random
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Cluster, Membership, ParentLink, Pupil, Relationship, Role, School, SchoolClass, User
from demo import agreements as demo_agreements
from demo import complaints as demo_complaints
from demo import emails as demo_emails
from demo import incidents as demo_incidents
from demo import policies as demo_policies

DEMO_PASSWORD = "schoolsocial-demo-2026"

SCHOOLS = [
    {
        "short_code": "NBP",
        "name": "Northbrook Primary School",
        "domain": "northbrook.example",
        "address": "Northbrook Primary School\n14 Mill Lane\nNorthbrook\nNB4 7QT",
        "phone": "01632 960 114",
        "headteacher": "Mrs Aisha Rahman",
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

CLASSES = [
    ("Hedgehogs", "Reception"),
    ("Otters", "Year 1"),
    ("Kingfishers", "Year 2"),
    ("Foxes", "Year 3"),
    ("Badgers", "Year 4"),
    ("Kestrels", "Year 5"),
    ("Owls", "Year 6"),
]

FIRST_NAMES = [
    "Amelia",
    "Noah",
    "Zara",
    "Oliver",
    "Isla",
    "Muhammad",
    "Freya",
    "Leo",
    "Chloé",
    "Jacob",
    "Maya",
    "Theo",
    "Aoife",
    "Kai",
    "Poppy",
    "Ibrahim",
    "Ruby",
    "Finn",
    "Sofia",
    "Arlo",
    "Niamh",
    "Ethan",
    "Layla",
    "Oscar",
    "Grace",
    "Yusuf",
    "Evie",
    "Rory",
]
LAST_NAMES = [
    "Ahmed",
    "Brennan",
    "Clarke",
    "Da Silva",
    "Evans",
    "Fitzgerald",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "McCarthy",
    "Nguyen",
    "O'Neill",
    "Patel",
    "Quinn",
    "Robinson",
    "Singh",
    "Thompson",
    "Underwood",
    "Varga",
    "Walsh",
    "Young",
]
PARENT_FIRST_NAMES = [
    "Sarah",
    "James",
    "Fatima",
    "David",
    "Joanna",
    "Michael",
    "Bethan",
    "Kwame",
    "Laura",
    "Patrick",
    "Nadia",
    "Steven",
]
PUPILS_PER_CLASS = 4
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
        logins = []
        code = spec["short_code"].lower()
        for role, (local, name) in spec["people"].items():
            user = self.demo_user(f"{local}@{spec['domain']}", name)
            Membership.objects.get_or_create(user=user, school=school, role=role)
            recovery = []
            if Role(role).requires_two_factor:
                recovery = self.demo_two_factor(user, f"{code}-{local}")
            logins.append((school.short_code, Role(role).label, user.email, recovery))

        classes = []
        for name, year in CLASSES:
            school_class, _ = SchoolClass.objects.get_or_create(school=school, name=name, defaults={"year_group": year})
            classes.append(school_class)

        rng = random.Random(spec["short_code"])  # the same families every run
        parent_number = 0
        for class_index, school_class in enumerate(classes):
            for _ in range(PUPILS_PER_CLASS):
                first = rng.choice(FIRST_NAMES)
                last = rng.choice(LAST_NAMES)
                birth_year = date.today().year - 5 - class_index
                pupil, _ = Pupil.objects.get_or_create(
                    school=school,
                    school_class=school_class,
                    first_name=first,
                    last_name=last,
                    defaults={"date_of_birth": date(birth_year, rng.randint(1, 12), rng.randint(1, 28))},
                )
                parent_number += 1
                parent_name = f"{rng.choice(PARENT_FIRST_NAMES)} {last}"
                parent = self.demo_user(
                    f"parent{parent_number}@{spec['domain']}",
                    parent_name,
                    postal_address=f"{rng.randint(1, 90)} {rng.choice(['Elm Grove', 'Station Road', 'Church Street', 'Meadow Close'])}\n{spec['name'].split()[0]}\n{spec['address'].splitlines()[-1]}",
                )
                Membership.objects.get_or_create(user=parent, school=school, role=Role.PARENT)
                ParentLink.objects.get_or_create(
                    parent=parent,
                    pupil=pupil,
                    defaults={
                        "relationship": rng.choice([Relationship.MOTHER, Relationship.FATHER, Relationship.CARER])
                    },
                )
                if parent_number <= 2:
                    logins.append((school.short_code, f"Parent of {pupil.full_name}", parent.email, []))
        return school, logins

    def demo_user(self, email: str, name: str, postal_address: str = "") -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "postal_address": postal_address}
        )
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
        out.write("Headteachers, DSLs and office staff also need a code: use one of the recovery codes shown")
        out.write("(each works once; run `make seed` again to restore them).")
        out.write("")
        for school, role, email, recovery in logins:
            codes = f"  codes: {', '.join(recovery)}" if recovery else ""
            out.write(f"  {school}  {role:<34} {email:<32}{codes}")
        out.write("")
