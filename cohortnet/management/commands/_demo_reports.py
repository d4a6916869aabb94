"""Demo reports and time against money: a day rate, a progress report round with one report accepted and one
submitted that an instalment waits for (seed_demo calls ``seed_reports``; idempotent)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from cohorts.models import Participant
from funding.models import Award, DayRate
from funding.services import instalment_schedule
from outcomes import services_reports
from outcomes.models import Report, ReportQuestion, ReportRound

ROUND_TITLE = "Mid-point progress report"
DAY_RATE = Decimal("350.00")
QUESTIONS = [
    ("What has your organisation done in the cohort so far?", ReportQuestion.Kind.LONG_TEXT, True, ""),
    ("How many of your people have taken part?", ReportQuestion.Kind.NUMBER, True, ""),
    ("Are you on track to contribute to the published output?", ReportQuestion.Kind.YES_NO, True, ""),
    (
        "Which theme has been most useful?",
        ReportQuestion.Kind.SINGLE_CHOICE,
        False,
        "Barriers to publishing\nSustainability and revenue\n"
        "Collaborative maintenance\nDiversity, equity and inclusion",
    ),
]
ANSWERS = [
    (
        "We ran two roundtables on licensing and drafted our section of the output.",
        "3",
        "yes",
        "Barriers to publishing",
    ),
    (
        "We shared our paid-API model and learnt how others keep their data open.",
        "2",
        "yes",
        "Sustainability and revenue",
    ),
]


def seed_reports(cohort, staff_user, today) -> None:
    """Once per demo database: the day rate, the round, two reports (accepted; submitted, with an instalment held)."""
    DayRate.objects.get_or_create(cohort=cohort, defaults={"rate": DAY_RATE})
    if ReportRound.objects.filter(cohort=cohort, title=ROUND_TITLE).exists():
        return
    report_round = ReportRound.objects.create(
        cohort=cohort,
        kind=ReportRound.Kind.PROGRESS,
        title=ROUND_TITLE,
        introduction="A short account for the funder of what your organisation has done and learnt so far.",
        due_at=datetime.combine(today + timedelta(days=14), time(17, 0), tzinfo=ZoneInfo("Europe/London")),
    )
    questions = [
        ReportQuestion.objects.create(
            round=report_round, text=text, kind=kind, required=required, choices=choices, position=position
        )
        for position, (text, kind, required, choices) in enumerate(QUESTIONS)
    ]
    services_reports.report_round_open(report_round=report_round)
    reports = list(report_round.reports.select_related("membership").order_by("membership__organisation__name"))
    for report, answers in zip(reports, ANSWERS, strict=False):
        lead = Participant.objects.filter(membership=report.membership, role=Participant.Role.LEAD).first()
        if lead is None:
            continue
        saved = services_reports.report_save(
            report=report,
            user=lead.user,
            answers={str(q.pk): a for q, a in zip(questions, answers, strict=True)},
            version=report.version,
        )
        services_reports.report_submit(report=saved, by=lead.user)
    submitted = [r for r in Report.objects.filter(round=report_round, status=Report.Status.SUBMITTED).order_by("pk")]
    if len(submitted) >= 1:
        # Accepted directly rather than through report_accept: demo data sends no email.
        Report.objects.filter(pk=submitted[0].pk).update(
            status=Report.Status.ACCEPTED,
            decided_by=staff_user,
            # Decided just now: after it was submitted (just before) and never in the future.
            decided_at=max(timezone.now(), submitted[0].submitted_at),
            staff_comments="Thank you: a clear account. We look forward to your section of the output.",
        )
    if len(submitted) >= 2:
        award = Award.objects.filter(membership=submitted[1].membership).first()
        if award is not None and award.remaining >= Decimal("5000.00"):
            instalment = instalment_schedule(
                award=award, amount=Decimal("5000.00"), due_on=today + timedelta(days=30), by=staff_user
            )
            services_reports.report_tie_instalment(report=submitted[1], instalment=instalment, by=staff_user)
