from .navigation import nav_for


def navigation(request) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_items": [], "current_membership": None}
    return {
        "nav_items": nav_for(membership.role_enum),
        "current_membership": membership,
        "current_school": membership.school,
    }
