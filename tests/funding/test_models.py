"""funding/models.py: the database's own checks on awards."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from funding.models import Award
from tests.factories import AwardFactory


@pytest.mark.django_db
def test_a_direct_orm_write_past_the_award_raises_integrity_error():
    award = AwardFactory(amount=Decimal("20000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(committed=F("amount") + Decimal("0.01"))
