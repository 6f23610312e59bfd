"""Who may open which letter or bundle: the headteacher and DSL of the school they are acting for
("letters.draft" in `accounts.permissions`), and only for a case they may open (a restricted case's
letters are for its named handlers: `incidents.access.cases_for`). Anything else answers 404, so another school's letter
looks like one that does not exist.

Every helper takes the person's acting membership (`request.membership`).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.permissions import require

from ..access import cases_for
from .models import EvidenceBundle, Letter


def get_letter_for(membership: Membership | None, pk: int) -> Letter:
    school = require(membership, "letters.draft")
    letters = Letter.objects.filter(school=school, incident__in=cases_for(membership).values("pk"))
    return get_object_or_404(letters.select_related("incident", "school", "step"), pk=pk)


def get_bundle_for(membership: Membership | None, pk: int) -> EvidenceBundle:
    school = require(membership, "letters.draft")
    bundles = EvidenceBundle.objects.filter(school=school, incident__in=cases_for(membership).values("pk"))
    bundles = bundles.select_related("incident")
    return get_object_or_404(bundles, pk=pk)
