"""Report rounds and reports for the tests of outcomes' reports (and the privacy tests' person)."""

from datetime import UTC, datetime

from outcomes import services_reports as services
from outcomes.models import Report, ReportQuestion, ReportRound

DUE = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)


def make_round(cohort, *, due_at=DUE, questions=(("What did you do?", "long_text", True),), **kwargs) -> ReportRound:
    """A round in ``cohort`` with ``questions`` ((text, kind, required) or with choices as a 4th item), opened."""
    report_round = ReportRound.objects.create(
        cohort=cohort, title=kwargs.pop("title", "Mid-point progress report"), due_at=due_at, **kwargs
    )
    for position, spec in enumerate(questions):
        text, kind, required, *choices = spec
        ReportQuestion.objects.create(
            round=report_round,
            text=text,
            kind=kind,
            required=required,
            position=position,
            choices="\n".join(choices[0]) if choices else "",
        )
    services.report_round_open(report_round=report_round)
    return report_round


def add_report_written_by(person, *, membership, staff=None) -> Report:
    """A report of ``membership`` whose draft ``person`` saved."""
    report_round = make_round(membership.cohort, title="Privacy test report")
    report = report_round.reports.get(membership=membership)
    question = report_round.questions.get()
    return services.report_save(report=report, user=person, answers={str(question.pk): "We met."}, version=0)
