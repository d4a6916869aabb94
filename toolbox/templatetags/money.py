"""Amounts of money on pages: ``{{ amount|gbp }}`` prints 20000 as "20,000.00".

The same text as ``floatformat:"2g"`` for the site's only locale (en-GB), at
a fraction of the cost: Django's ``floatformat`` goes through the localised
number formatter, which the budget benchmark (200 organisations, five
amounts each) showed as its largest single cost.
"""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def gbp(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{amount:,.2f}"
