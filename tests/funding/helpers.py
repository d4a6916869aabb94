"""Helpers the funding tests share."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from funding import services
from tests.factories import UserFactory


def finance(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Finance"))
    return user


def _instalment(award, amount, by):
    return services.instalment_schedule(award=award, amount=Decimal(amount), due_on=date(2027, 1, 31), by=by)
