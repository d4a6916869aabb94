"""Two people at one organisation saving the same report at once, on PostgreSQL with real threads."""

import pytest

from outcomes import services_reports as services
from outcomes.models import Report
from tests.factories import ParticipantFactory
from tests.helpers import race
from tests.outcomes.reports_helpers import make_round


@pytest.mark.django_db(transaction=True)
def test_two_saves_from_pages_opened_at_the_same_version_keep_one_and_refuse_the_other():
    lead = ParticipantFactory(role="lead")
    colleague = ParticipantFactory(membership=lead.membership)
    report = make_round(lead.membership.cohort).reports.get()
    key = str(report.round.questions.get().pk)
    writers = {lead.user: "The lead's text", colleague.user: "The colleague's text"}

    refused = race(
        writers,
        lambda user: services.report_save(report=report, user=user, answers={key: writers[user]}, version=0),
    )

    assert [type(exc) for exc in refused] == [services.ReportConflict]
    saved = Report.objects.get(pk=report.pk)
    assert saved.version == 1
    # Exactly the text of the one who saved first is kept, whole; the other was told and keeps theirs on the page.
    assert saved.answers[key] == writers[saved.updated_by]
