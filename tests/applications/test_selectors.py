"""applications/selectors.py: the weighted score the pipeline and the exports print."""

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Score
from applications.selectors import applications_with_scores
from tests.factories import ApplicationFactory, CriterionFactory, ReviewAssignmentFactory

pytestmark = pytest.mark.django_db


def test_a_weighted_score_that_does_not_divide_evenly_keeps_its_fraction():
    # (2 × 4 + 1 × 5) / 3 = 4.33…: on SQLite whole-number weights are stored as integers,
    # and an integer division printed 4.00.
    application = ApplicationFactory()
    relevance = CriterionFactory(call=application.call, weight=Decimal("2.00"))
    capacity = CriterionFactory(call=application.call, weight=Decimal("1.00"))
    review = ReviewAssignmentFactory(application=application, submitted_at=timezone.now())
    Score.objects.create(assignment=review, criterion=relevance, value=4)
    Score.objects.create(assignment=review, criterion=capacity, value=5)
    [row] = applications_with_scores()
    assert (row.reviews_assigned, row.reviews_done, f"{row.weighted_score:.2f}") == (1, 1, "4.33")
