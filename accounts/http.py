"""The request a signed-in person's view is given.

Django types `request.user` as "a user or AnonymousUser" and knows nothing of `request.membership`
(set for every request by `accounts.middleware.CurrentMembershipMiddleware`). A view behind
`login_required` takes an `AuthenticatedRequest` instead, so the type checker knows that the
person is a real `User` and what they are acting as. It is only a type: at run time the view is
given Django's own HttpRequest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Membership, User


class AuthenticatedRequest(HttpRequest):
    user: User
    # The school and role the person is acting as; None for someone with no membership yet.
    membership: Membership | None
