"""Demo data for selection in stages: a two-stage call with expressions of interest, a shortlist, interview
slots, a booked interview and a decided application with feedback the applicant can read.

Everything goes through the services, at instants in the past where the rules need it, so the demo is what
the site would have made. Idempotent: a second run finds the call and changes nothing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from applications import services
from applications.models import Application, FeedbackTemplate, InterviewSlot, OpenCall, Question
from cohorts.models import Cohort, Organisation, OrganisationPerson, Theme
from notifications.models import Email
from notifications.services import email_release

LONDON = ZoneInfo("Europe/London")
SLUG = "cohort-4-expressions-of-interest"

#: (organisation, person's email, name, shortlisted?, full application submitted?)
APPLICANTS = [
    ("Harbour Tides Open Data", "femi@harbourtides.example", "Femi Adeyemi", True, True),
    ("Open Allotments Register", "ruth@allotments.example", "Ruth Siddall", True, False),
    ("Moorland Sensors Collective", "ewan@moorland.example", "Ewan Doyle", False, False),
    ("Civic Bench Map", "yara@civicbench.example", "Yara Haddad", False, False),
]

#: The demo's applicants to this call, by email: their names (seed_demo's PEOPLE holds everyone else).
PEOPLE = {email: name for _organisation, email, name, _shortlisted, _submitted in APPLICANTS}

FEEDBACK = (
    "The panel valued how openly Harbour Tides documents its tide gauges and how many small ports rely on "
    "the data. In the cohort we would like you to focus on a revenue model beyond grants: the members working "
    "on sustainability will be good company."
)


def _at(today, days: int, hour: int = 10) -> datetime:
    return datetime.combine(today + timedelta(days=days), time(hour, 0), tzinfo=LONDON)


def _person(email: str, name: str, password: str):
    user, created = get_user_model().objects.get_or_create(email=email, defaults={"name": name})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_stages(*, staff_user, password: str) -> None:
    """Create the two-stage demo call once."""
    if OpenCall.objects.filter(slug=SLUG).exists():
        return
    today = timezone.localdate()
    cohort, _ = Cohort.objects.get_or_create(
        slug="cohort-4",
        defaults={
            "name": "Cohort 4: Data commons",
            "description": "The programme's first cohort selected in stages.",
            "starts_on": today + timedelta(days=150),
            "ends_on": today + timedelta(days=330),
            "status": Cohort.Status.PLANNED,
        },
    )
    call = OpenCall.objects.create(
        cohort=cohort,
        slug=SLUG,
        title="Data commons: a call in two stages",
        summary="Tell us in a few lines what you steward; the shortlisted complete a full application.",
        description="A two-stage call: a short expression of interest first, then a full application by invitation.",
        eligibility="Organisations that steward open data as a commons.",
        opens_at=_at(today, -40, 9),
        expressions_close_at=_at(today, -12, 23).replace(minute=59),
        closes_at=_at(today, 20, 23).replace(minute=59),
        interviews_book_by=_at(today, 25, 17),
        time_zone="Europe/London",
    )
    Question.objects.create(
        call=call, label="Who relies on your data?", kind=Question.Kind.SHORT_TEXT, stage=Question.Stage.EXPRESSION
    )
    FeedbackTemplate.objects.create(
        call=call,
        title="Not this time, with thanks",
        body="Thank you, $organisation. $call drew many strong expressions; we could not take yours further.",
    )
    theme = Theme.objects.order_by("position").first()
    applications = []
    for name, email, person_name, shortlisted, submitted in APPLICANTS:
        user = _person(email, person_name, password)
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"website": f"https://{email.split('@')[1]}", "country": "GB"}
        )
        OrganisationPerson.objects.get_or_create(organisation=organisation, user=user)
        application = services.application_start(call=call, organisation=organisation, user=user, at=_at(today, -30))
        services.application_save_draft(
            application=application,
            user=user,
            answers={"data_stewarded": f"{name}: open data for its community."},
            themes=[theme] if theme else [],
            at=_at(today, -29),
        )
        services.application_submit(application=application, user=user, at=_at(today, -29))
        applications.append((application, user, shortlisted, submitted))

    for application, user, shortlisted, submitted in applications:
        if not shortlisted:
            continue
        services.expression_shortlist(application=application, by=staff_user, at=_at(today, -10))
        if submitted:
            services.application_save_draft(
                application=application,
                user=user,
                answers={
                    "licence": "CC BY 4.0",
                    "sustainability": "Port authorities pay for a support plan.",
                    "contribution": "Running volunteer sensor networks.",
                    "time_commitment": "Two days a month",
                    "funding_requested": 12000,
                    "consent_to_publish": True,
                },
                at=_at(today, -5),
            )
            services.application_submit(application=application, user=user, at=_at(today, -5))

    slots = [
        InterviewSlot.objects.create(
            call=call,
            host=staff_user,
            starts_at=_at(today, 3 + n, 14),
            ends_at=_at(today, 3 + n, 14) + timedelta(minutes=45),
            online_url="https://meet.example/cohortnet-interview",
        )
        for n in range(3)
    ]
    decided, decided_user = applications[0][0], applications[0][1]
    services.interview_book(slot=slots[0], application=decided, user=decided_user, at=_at(today, -4))
    InterviewSlot.objects.filter(pk=slots[0].pk).update(notes="Clear about users; the revenue model is early.")
    services.application_transition(application=decided, to=Application.Status.UNDER_REVIEW, by=staff_user)
    services.application_feedback_set(application=decided, feedback=FEEDBACK, by=staff_user)
    services.application_transition(application=decided, to=Application.Status.ACCEPTED, by=staff_user)
    for email in Email.objects.filter(key__startswith=f"decision:{decided.pk}:", status=Email.Status.HELD):
        email_release(email=email, by=staff_user)
