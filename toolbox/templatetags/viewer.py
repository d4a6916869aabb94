"""What the shared layout shows for who is looking, read once per request with the two-factor guard's facts."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def has_reviews(context) -> bool:
    """``{% has_reviews as shows_reviews %}``: whether the signed-in person has review assignments.

    cohortnet.middleware.StaffRequiresMFAMiddleware leaves the request's ``ViewerAccess`` on it, which
    reads this in the same query as the person's groups; a page rendered without it asks on its own.
    """
    request = context.get("request")
    access = getattr(request, "_viewer_access", None)
    if access is not None:
        return access.has_reviews
    user = context.get("user")
    return bool(user and user.is_authenticated and user.review_assignments.exists())
