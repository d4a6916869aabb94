"""Name people the way the programme does: "Maya Okafor, River Data Trust"."""

from django import template

register = template.Library()


@register.simple_tag
def person_label(user, organisation=None) -> str:
    """``{% person_label message.author membership.organisation %}`` → "Maya Okafor, River Data Trust".

    The organisation is optional (a person with several, or staff); the name
    comes from ``User.display_name``. Autoescaped like any simple tag's result.
    """
    if user is None:
        return ""
    name = user.display_name
    org_name = getattr(organisation, "name", "") if organisation is not None else ""
    return f"{name}, {org_name}" if org_name else name
