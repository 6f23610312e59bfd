from .navigation import nav_for, settings_nav_for


def navigation(request) -> dict:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    # Until the second factor is passed, the person sees no navigation into the portal.
    pending_two_factor = bool(user and user.is_authenticated and user.requires_two_factor and not user.is_verified())
    if membership is None or pending_two_factor:
        return {"nav_items": [], "current_membership": membership, "pending_two_factor": pending_two_factor}
    return {
        "nav_items": nav_for(membership.role_enum),
        "settings_nav_items": settings_nav_for(membership.role_enum),
        "current_membership": membership,
        "current_school": membership.school,
    }
