"""Reading agreement coverage and signature status. No writes here.

`signature_status(parent, pupil)` is the function other apps call (incident pages, letters) to
say whether, when and which version a parent signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import ParentLink, Pupil, School, SchoolClass, User
from schoolsocial.lib.paging import Page, page_of

from .models import AgreementVersion, Signature, SignatureKind, SignatureMethod


# --- one parent, one child ----------------------------------------------------------------------
@dataclass(frozen=True)
class SignatureStatus:
    """Where a parent stands with the agreement for one child.

    `signature` is the parent's most recent standing signature (of any version) or None;
    `current_version` is the school's published version, if any.
    """

    signature: Signature | None
    current_version: AgreementVersion | None
    withdrawn: Signature | None = None

    @property
    def has_signed(self) -> bool:
        return self.signature is not None

    @property
    def signed_current(self) -> bool:
        """Signed the current version, or a version it corrects (its signatures stay valid)."""
        if self.signature is None or self.current_version is None:
            return False
        return counts_for(self.signature, self.current_version)

    @property
    def signed_at(self) -> datetime | None:
        return self.signature.signed_at if self.signature else None

    @property
    def version(self) -> AgreementVersion | None:
        return self.signature.version if self.signature else None

    def describe(self) -> str:
        """One sentence a letter can quote."""
        if self.signature is None:
            if self.withdrawn is not None:
                when = timezone.localtime(self.withdrawn.signed_at).strftime("%d/%m/%Y")
                return f"withdrew their signature of the home-school social media agreement on {when}"
            return "has not signed the school's home-school social media agreement"
        sig = self.signature
        when = timezone.localtime(sig.signed_at).strftime("%d/%m/%Y")
        if sig.method == SignatureMethod.PAPER and sig.paper_signed_on:
            when = sig.paper_signed_on.strftime("%d/%m/%Y")
        how = " on a paper form" if sig.method == SignatureMethod.PAPER else " online"
        text = (
            f"signed \u201c{sig.version.title}\u201d (version {sig.version.number}, school year {sig.academic_year})"
            f"{how} on {when}"
        )
        if not self.signed_current and self.current_version is not None:
            text += f", and has not yet signed the current version {self.current_version.number}"
        return text


def signature_status(parent: User, pupil: Pupil) -> SignatureStatus:
    """Whether, when and which version `parent` signed for `pupil`. Two queries.

    Callers must already have checked that the person asking may see this pupil.
    """
    current = AgreementVersion.objects.current_for(pupil.school_id)
    records = list(
        Signature.objects.filter(parent=parent, pupil=pupil)
        .select_related("version")
        .order_by("-version__number", "-sequence")
    )
    return _status_from(records, current)


def _status_from(records: list[Signature], current: AgreementVersion | None) -> SignatureStatus:
    """The status told by one family's records (newest version first, latest record first)."""
    seen_versions: set[int] = set()
    withdrawn = None
    for record in records:
        if record.version_id in seen_versions:
            continue  # only the latest record of each version counts
        seen_versions.add(record.version_id)
        if record.kind == SignatureKind.SIGNED:
            return SignatureStatus(signature=record, current_version=current)
        withdrawn = withdrawn or record
    return SignatureStatus(signature=None, current_version=current, withdrawn=withdrawn)


def poster_statuses(parent: User, school: School, pupil: Pupil | None = None) -> list[tuple[Pupil, SignatureStatus]]:
    """For an incident whose poster is `parent`: the agreement status for each of their children at
    `school` (only `pupil`, if the incident names one of them). Three queries, however many children.

    Callers must already have checked that the person asking may see the incident.
    """
    pupils = list(
        Pupil.objects.filter(school=school, parent_links__parent=parent)
        .select_related("school_class")
        .order_by("-is_on_roll", "first_name", "pk")
        .distinct()
    )
    if pupil is not None and any(p.pk == pupil.pk for p in pupils):
        pupils = [p for p in pupils if p.pk == pupil.pk]
    if not pupils:
        return []
    current = AgreementVersion.objects.current_for(school.pk)
    by_pupil: dict[int, list[Signature]] = {p.pk: [] for p in pupils}
    for record in (
        Signature.objects.filter(parent=parent, pupil__in=pupils)
        .select_related("version")
        .order_by("-version__number", "-sequence")
    ):
        by_pupil[record.pupil_id].append(record)
    return [(p, _status_from(by_pupil[p.pk], current)) for p in pupils]


def family_standing(records: list[Signature], version: AgreementVersion | None) -> dict[int, Signature]:
    """For one parent's records: each child's latest record that counts for `version` (signed or
    withdrawn), by pupil id. Children with none are left out. No queries."""
    standing: dict[int, Signature] = {}
    if version is None:
        return standing
    for record in sorted(records, key=lambda r: r.pk):
        if counts_for(record, version):
            standing[record.pupil_id] = record
    return standing


@dataclass(frozen=True)
class ChildStanding:
    """What the parent page says for one child, in one state (so it never says two things):

    - "signed": a signature that counts for the current version (`signature`; `corrected` when
      it was given for an earlier version the current one corrects);
    - "withdrawn": the latest record in the round is a withdrawal (`withdrawn`);
    - "sign_again": no signature counts, but the parent signed an earlier version (`earlier`)
      and the current one asks every family to sign again;
    - "not_signed": nothing signed yet.
    """

    pupil: Pupil
    state: str
    signature: Signature | None = None
    withdrawn: Signature | None = None
    earlier: Signature | None = None
    corrected: bool = False


def child_standings(
    pupils: list[Pupil], records: list[Signature], version: AgreementVersion | None
) -> list[ChildStanding]:
    """One `ChildStanding` per pupil, from the parent's records (versions loaded). No queries."""
    standing = family_standing(records, version)
    earlier: dict[int, Signature] = {}
    for signed in sorted(records, key=lambda r: r.pk):
        if signed.kind == SignatureKind.SIGNED and (version is None or not counts_for(signed, version)):
            earlier[signed.pupil_id] = signed
    rows = []
    for pupil in pupils:
        record = standing.get(pupil.pk)
        if record is not None and record.kind == SignatureKind.SIGNED:
            corrected = version is not None and record.version_id != version.pk
            rows.append(ChildStanding(pupil, "signed", signature=record, corrected=corrected))
        elif record is not None:
            rows.append(ChildStanding(pupil, "withdrawn", withdrawn=record))
        elif pupil.pk in earlier:
            rows.append(ChildStanding(pupil, "sign_again", earlier=earlier[pupil.pk]))
        else:
            rows.append(ChildStanding(pupil, "not_signed"))
    return rows


def counts_for(record: Signature, version: AgreementVersion) -> bool:
    """Whether `record` (with its version loaded) counts for `version`: it was made for a version of
    the same signing round (the version itself, or one a correction replaced)."""
    return record.version.round_id == version.round_id


# --- coverage -----------------------------------------------------------------------------------
# A family's standing for a version is told by its latest record (highest id) for a version of
# its signing round (the version, and the versions a correction replaced): signed, withdrawn, or
# none. A family's records are made one at a time (the family link is locked), so ids keep order. The coverage pages ask it of every family of a school at
# once, so it is worked out for the whole set in joins rather than a subquery run per family:
#
#   family  LEFT JOIN record  ON same version, parent and child
#           LEFT JOIN later   ON same version, parent and child, and a higher sequence
#   WHERE later IS NULL
#
# A family with records meets each of them once, and only its latest has no later one, so exactly
# one row per family is kept (with `record` empty when it has none). PostgreSQL plans this as hash
# joins and an anti-join; SQLite as lookups on the (parent, pupil) index.
def with_status(links: QuerySet[ParentLink], version: AgreementVersion | None, full: bool = True) -> QuerySet:
    """Annotates each link with its latest record that counts for `version`: `latest_kind` (None if
    the family has no record), and with `full`, `latest_at`, `latest_method` and `latest_id`."""
    if version is None:
        return links
    records = "pupil__agreement_signatures"
    if version.is_correction:
        # One more query, for a correction only (a FilteredRelation takes no subquery).
        in_round = list(AgreementVersion.objects.filter(signing_round_id=version.round_id).values_list("pk", flat=True))
        same_version: dict = {f"{records}__version_id__in": in_round}
    else:
        same_version = {f"{records}__version_id": version.pk}
    same_family = {**same_version, f"{records}__parent_id": F("parent_id")}
    links = links.annotate(
        latest=FilteredRelation(records, condition=Q(**same_family)),
        later=FilteredRelation(records, condition=Q(**same_family, **{f"{records}__pk__gt": F("latest__pk")})),
    ).filter(later__pk__isnull=True)  # on a joined column, so PostgreSQL sees an anti-join
    # `latest_state` is "" for a family with no record: "not signed" is then one inequality, which
    # the planner estimates sensibly (an IS NULL on the outer side of a join is guessed as one row).
    links = links.annotate(latest_kind=F("latest__kind")).alias(latest_state=Coalesce("latest__kind", Value("")))
    if full:
        links = links.annotate(
            latest_at=F("latest__signed_at"), latest_method=F("latest__method"), latest_id=F("latest__pk")
        )
    return links


def family_links(school: School) -> QuerySet[ParentLink]:
    """Every parent-child pair the agreement is asked of: children on roll, active accounts."""
    return ParentLink.objects.filter(pupil__school=school, pupil__is_on_roll=True, parent__is_active=True)


def signed_q() -> Q:
    return Q(latest_kind=SignatureKind.SIGNED)


def not_signed_q() -> Q:
    """No record for the version, or the latest one is a withdrawal."""
    return ~Q(latest_state=SignatureKind.SIGNED)


def decorate(rows, version: AgreementVersion | None, now: datetime | None = None) -> list:
    """Adds is_signed, asked_since and days_waiting to annotated ParentLink rows."""
    now = now or timezone.now()
    result = []
    for row in rows:
        row.is_signed = version is not None and getattr(row, "latest_kind", None) == SignatureKind.SIGNED
        row.is_withdrawn = getattr(row, "latest_kind", None) == SignatureKind.WITHDRAWN
        row.asked_since = asked_since(version, row.created_at) if version else None
        row.days_waiting = (now - row.asked_since).days if row.asked_since and not row.is_signed else None
        result.append(row)
    return result


def asked_since(version: AgreementVersion, linked_at: datetime) -> datetime:
    """A parent is asked when the version is published (for a correction, the version it corrects:
    families were asked then), or when their child is linked, if later."""
    since = version.asked_from
    return max(since, linked_at) if since else linked_at


@dataclass
class ClassCoverage:
    school_class: SchoolClass | None
    families: int = 0
    signed: int = 0
    pupils_without_parent: int = 0

    @property
    def not_signed(self) -> int:
        return self.families - self.signed

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.families) if self.families else 0

    @property
    def name(self) -> str:
        return self.school_class.name if self.school_class else "No class"


def school_coverage(school: School, version: AgreementVersion | None) -> tuple[list[ClassCoverage], ClassCoverage]:
    """Per-class counts and the school total, in three queries whatever the school's size."""
    classes = {c.pk: ClassCoverage(c) for c in SchoolClass.objects.filter(school=school).order_by("name")}
    no_class = ClassCoverage(None)
    links = with_status(family_links(school), version, full=False)
    counted = links.values("pupil__school_class_id").annotate(
        families=Count("id"), signed=Count("id", filter=signed_q()) if version else Count("id", filter=Q(pk=None))
    )
    for row in counted.order_by():
        target = classes.get(row["pupil__school_class_id"], no_class)
        target.families += row["families"]
        target.signed += row["signed"]
    orphans = (
        Pupil.objects.filter(school=school, is_on_roll=True, parent_links__isnull=True)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in orphans:
        classes.get(row["school_class_id"], no_class).pupils_without_parent += row["n"]
    rows = list(classes.values()) + ([no_class] if no_class.families or no_class.pupils_without_parent else [])
    total = ClassCoverage(None)
    for row in rows:
        total.families += row.families
        total.signed += row.signed
        total.pupils_without_parent += row.pupils_without_parent
    return rows, total


CLASS_PAGE_SIZE = 50


def class_pupils(
    school_class: SchoolClass, version: AgreementVersion | None, *, query: str = "", page: str | None = None
) -> Page:
    """One page of the class's pupils on roll (every word of `query` in the first or last name),
    each with `.families`: their decorated parent links. Two queries at any class size."""
    found = Pupil.objects.filter(school_class=school_class, is_on_roll=True)
    for word in query.split()[:5]:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    shown = page_of(found.order_by("last_name", "first_name", "pk"), page, CLASS_PAGE_SIZE)
    pupils = shown.object_list
    links = with_status(
        ParentLink.objects.filter(pupil__in=[p.pk for p in pupils], parent__is_active=True).select_related("parent"),
        version,
    ).order_by("parent__full_name")
    by_pupil: dict[int, list] = {p.pk: [] for p in pupils}
    for link in decorate(links, version):
        by_pupil[link.pupil_id].append(link)
    for pupil in pupils:
        pupil.families = by_pupil[pupil.pk]
    return shown


def not_signed_links(school: School, version: AgreementVersion | None) -> QuerySet[ParentLink]:
    links = with_status(family_links(school), version).select_related("parent", "pupil__school_class")
    if version is not None:
        links = links.filter(not_signed_q())
    return links.order_by("created_at", "pupil__last_name", "pk")
