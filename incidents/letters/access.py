"""Who may open which letter or bundle: the headteacher and DSL of the school they are acting for.
Anything else answers 404, so another school's letter looks like one that does not exist."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from incidents.access import acting_school, is_case_handler

from .models import EvidenceBundle, Letter


def get_letter_for(request, pk: int) -> Letter:
    if not is_case_handler(request):
        raise Http404("No such letter.")
    letters = Letter.objects.for_user(request.user).filter(school=acting_school(request))
    return get_object_or_404(letters.select_related("incident", "school", "step"), pk=pk)


def get_bundle_for(request, pk: int) -> EvidenceBundle:
    if not is_case_handler(request):
        raise Http404("No such bundle.")
    bundles = EvidenceBundle.objects.filter(school=acting_school(request)).select_related("incident")
    return get_object_or_404(bundles, pk=pk)
