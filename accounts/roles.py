"""The roles a person can hold at a school. What each role may do is in `accounts/permissions.py`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HEADTEACHER = "headteacher", _("Headteacher")
    DSL = "dsl", _("Designated safeguarding lead")
    STAFF = "staff", _("Staff")
    GOVERNOR = "governor", _("Governor")
    OFFICE = "office", _("Office")
    # The school's data-protection officer: reads the audit history, the access log, the retention
    # review and the subject access requests; never the case files themselves. A role of its own
    # rather than a flag on a headteacher's membership, because a DPO is often someone outside the
    # school (a trust's or the local authority's service) who must not inherit case access.
    DPO = "dpo", _("Data protection officer")
    PARENT = "parent", _("Parent or carer")

    @property
    def requires_two_factor(self) -> bool:
        # The roles that can open case files or family records sign in with a second factor.
        return self in TWO_FACTOR_ROLES

    @property
    def rank(self) -> int:
        """Which role's landing page to show first when a person holds several."""
        return list(Role).index(self)


TWO_FACTOR_ROLES = frozenset({Role.HEADTEACHER, Role.DSL, Role.OFFICE, Role.DPO})
