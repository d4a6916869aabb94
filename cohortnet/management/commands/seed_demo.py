"""Load fictional demo data: ``python manage.py seed_demo``.

Idempotent: every row is found by a natural key and created only when
missing, so a second run changes nothing (dates relative to "now" are fixed
at the first run).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.models import (
    Application,
    Criterion,
    FaqItem,
    OpenCall,
    Question,
    ReviewAssignment,
    Score,
    Transition,
)
from applications.services import REVIEWER_GROUP, application_transition
from chat.models import ChatMessage
from chat.services import room_get_or_create
from cohortnet.management.commands import _demo_call_story as story
from cohortnet.management.commands._demo_feedback import seed_feedback
from cohortnet.management.commands._demo_privacy_notice import PRIVACY_NOTICE
from cohortnet.management.commands._demo_publication import seed_publication
from cohortnet.management.commands._demo_reports import seed_reports
from cohortnet.management.commands._demo_stages import seed_stages
from cohorts.models import (
    Cohort,
    Membership,
    Message,
    Organisation,
    OrganisationPerson,
    Participant,
    Resource,
    Theme,
)
from events.models import RSVP, Event
from events.services import rsvp_set
from funding.models import Award, TimeEntry
from funding.permissions import FINANCE_GROUP
from funding.services import instalment_approve, instalment_schedule, time_log
from privacy.models import PrivacyNotice
from privacy.services import notice_publish

DEMO_PASSWORD = "cohortnet-demo-2026"  # noqa: S105 -- printed for people trying the demo; refused in production
LONDON = ZoneInfo("Europe/London")

STAFF_EMAIL = "staff@cohortnet.example"
REVIEWER_EMAIL = "reviewer@cohortnet.example"
SECOND_REVIEWER_EMAIL = "reviewer2@cohortnet.example"
APPLICANT_EMAIL = "applicant@example.org"
PARTICIPANT_EMAIL = "participant@example.org"

# The demo people's names: the admin and the emails show "Maya Okafor <participant@example.org>".
PEOPLE = {
    STAFF_EMAIL: "Grace Mensah",
    REVIEWER_EMAIL: "Rita Alvarez",
    APPLICANT_EMAIL: "Sam Whitfield",
    PARTICIPANT_EMAIL: "Maya Okafor",
    "ines@ledgerlight.example": "Inês Carvalho",
    "kofi@threadmap.example": "Kofi Boateng",
    "marta@threadmap.example": "Marta Jansen",
    "aoife@riverwatch.example": "Aoife Byrne",
    "wanjiru@transitcommons.example": "Wanjiru Kamau",
    "otieno@transitcommons.example": "Otieno Odhiambo",
    "luiza@openparcels.example": "Luiza Costa",
    "jonas@pollenair.example": "Jonas Weber",
    "priya@openspending-archive.example": "Priya Raman",
    "arjun@openspending-archive.example": "Arjun Mehta",
    SECOND_REVIEWER_EMAIL: "Tomasz Nowak",
    "nadia@coastalbirds.example": "Nadia Haddad",
    "lena@busstops.example": "Lena Fischer",
    "chidi@busstops.example": "Chidi Okeke",
    "ana@seedbank.example": "Ana Torres",
    "hugo@citytrees.example": "Hugo Martin",
    "mei@citytrees.example": "Mei Lin",
    "sipho@tenderswatch.example": "Sipho Dlamini",
}

# Fictional open-data stewards: (name, website, country, open data, participants)
MEMBERS = [
    (
        "Ledgerlight Company Register",
        "https://ledgerlight.example",
        "GB",
        "An open register of about 200 million companies, used by journalists, investigators and compliance teams.",
        [PARTICIPANT_EMAIL, "ines@ledgerlight.example"],
    ),
    (
        "Threadmap Open Facilities",
        "https://threadmap.example",
        "NL",
        "An open map and database of apparel facilities worldwide, used by brands, unions and researchers.",
        ["kofi@threadmap.example", "marta@threadmap.example"],
    ),
    (
        "Riverwatch Water Commons",
        "https://riverwatch.example",
        "IE",
        "Citizen-collected river water quality readings, used by councils and angling clubs.",
        ["aoife@riverwatch.example"],
    ),
    (
        "Transit Commons Co-operative",
        "https://transitcommons.example",
        "KE",
        "Open timetables and routes for informal minibus transport, used by route planners.",
        ["wanjiru@transitcommons.example", "otieno@transitcommons.example"],
    ),
    (
        "Open Parcels Land Register",
        "https://openparcels.example",
        "BR",
        "Open land parcel boundaries and tenure records, used by planners and NGOs.",
        ["luiza@openparcels.example"],
    ),
    (
        "Pollen & Air Collective",
        "https://pollenair.example",
        "DE",
        "Open air-quality and pollen counts from a volunteer sensor network.",
        ["jonas@pollenair.example"],
    ),
    (
        "Open Spending Archive",
        "https://openspending-archive.example",
        "IN",
        "Government budgets and spending records, cleaned and published openly.",
        ["priya@openspending-archive.example", "arjun@openspending-archive.example"],
    ),
]

# Applications to the next cohort's call, one per stage of review, so the staff home and the pipeline have
# something in each: (organisation, website, country, people, status, reviews). A review is
# (reviewer, scores per criterion, recommendation, comment), or (reviewer, None, "", conflict note) for a
# declared conflict, or (reviewer, None, "", "") for one assigned and not yet submitted.
APPLICANTS = [
    ("Coastal Birds Open Atlas", "https://coastalbirds.example", "ES", ["nadia@coastalbirds.example"], "submitted", []),
    (
        "Open Bus Stops Registry",
        "https://busstops.example",
        "PL",
        ["lena@busstops.example", "chidi@busstops.example"],
        "under_review",
        [
            (REVIEWER_EMAIL, (4, 3, 4), "accept", "A well-used register; the team is small but steady."),
            (SECOND_REVIEWER_EMAIL, None, "", ""),
        ],
    ),
    (
        "Seedbank Open Catalogue",
        "https://seedbank.example",
        "MX",
        ["ana@seedbank.example"],
        "under_review",
        [
            (REVIEWER_EMAIL, None, "", ""),
            (SECOND_REVIEWER_EMAIL, None, "", "I advised Seedbank on its licence last year."),
        ],
    ),
    (
        "City Trees Data Lab",
        "https://citytrees.example",
        "FR",
        ["hugo@citytrees.example", "mei@citytrees.example"],
        "accepted",
        [
            (REVIEWER_EMAIL, (5, 4, 5), "accept", "Exactly the steward the cohort is for."),
            (SECOND_REVIEWER_EMAIL, (4, 4, 4), "accept", "Strong on sustainability."),
        ],
    ),
    (
        "Open Tenders Watch",
        "https://tenderswatch.example",
        "ZA",
        ["sipho@tenderswatch.example"],
        "rejected",
        [
            (REVIEWER_EMAIL, (2, 2, 3), "reject", "The data is shared with subscribers only, not openly."),
            (SECOND_REVIEWER_EMAIL, (2, 3, 2), "reject", "Not yet open data."),
        ],
    ),
]

# The first award's instalments: (amount, days from today to the due date, approved).
INSTALMENTS = [(Decimal("8000.00"), -20, True), (Decimal("6000.00"), 40, False), (Decimal("6000.00"), 100, False)]

# The running cohort's General chat room, in order: (author, text). Kofi @mentions the demo participant, so
# her view of the room shows a mention.
CHAT = [
    (
        STAFF_EMAIL,
        "Good morning, everyone. This room is for quick questions between sessions; longer discussions work "
        "better as a thread in Messages.",
    ),
    (
        "kofi@threadmap.example",
        "@Maya Okafor how does Ledgerlight answer companies that ask to be taken off the register? "
        "We get a few of those a month.",
    ),
    (
        PARTICIPANT_EMAIL,
        "We point them to our public-interest statement and correct anything wrong within a week. "
        "Happy to share the wording.",
    ),
    ("aoife@riverwatch.example", "Please do: Riverwatch is writing its first takedown policy."),
]

# A thread another member organisation started, which the demo participant has not read yet (nor the welcome).
MEMBER_THREAD = (
    "kofi@threadmap.example",
    "Bulk downloads: who pays for the bandwidth?",
    "Our monthly bulk files now cost more to serve than the rest of the site. How do others pay for downloads: "
    "a sponsor's CDN, paid mirrors, or rate limits? Threadmap would love to compare notes.",
)

# The member thread's theme, so its page, the theme's page and the search's theme filter have a thread to show.
MEMBER_THREAD_THEME = "sustainability"

# A demo participant who chose the daily digest, so the digest and the admin's delivery filter have someone.
DIGEST_EMAIL = "marta@threadmap.example"

# The event the demo participant has said she is going to.
PARTICIPANT_GOING_TO = "Mid-point networking and collaborations"

AWARDS = [
    Decimal("20000.00"),
    Decimal("18500.00"),
    Decimal("15000.00"),
    Decimal("20000.00"),
    Decimal("12000.00"),
    Decimal("16000.00"),
    Decimal("19750.00"),
]


class Command(BaseCommand):
    help = "Load fictional demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates accounts with a published password; refusing with DEBUG off.")
        with transaction.atomic():
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"  staff:       {STAFF_EMAIL} / {DEMO_PASSWORD}   (admin at /admin/)")
        self.stdout.write(f"  reviewer:    {REVIEWER_EMAIL} / {DEMO_PASSWORD}   (reviews at /reviews/)")
        self.stdout.write(f"  applicant:   {APPLICANT_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  participant: {PARTICIPANT_EMAIL} / {DEMO_PASSWORD}")

    def _user(self, email: str, *, staff: bool = False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": PEOPLE[email], "is_staff": staff, "is_superuser": staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif not user.name:
            # A demo database seeded before people had names gets them; a name someone typed is kept.
            user.name = PEOPLE[email]
            user.save(update_fields=["name"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _seed(self):
        today = timezone.localdate()
        staff_user = self._user(STAFF_EMAIL, staff=True)
        staff_user.groups.add(Group.objects.get_or_create(name=FINANCE_GROUP)[0])
        self._seed_theme_looks()

        running, _ = Cohort.objects.get_or_create(
            slug="cohort-2",
            defaults={
                "name": "Cohort 2: Open data stewards",
                "description": "Mature organisations that steward open data, learning from each other over six months.",
                "starts_on": today - timedelta(days=60),
                "ends_on": today + timedelta(days=120),
                "status": Cohort.Status.RUNNING,
            },
        )
        next_cohort, _ = Cohort.objects.get_or_create(
            slug="cohort-3",
            defaults={
                "name": "Cohort 3: Open data stewards",
                "description": "The next six-month cohort.",
                "starts_on": today + timedelta(days=60),
                "ends_on": today + timedelta(days=240),
                "status": Cohort.Status.PLANNED,
            },
        )
        closes = datetime.combine(today + timedelta(days=30), time(23, 59), tzinfo=LONDON)
        call, call_created = OpenCall.objects.get_or_create(
            slug="cohort-3-open-call",
            defaults={
                "cohort": next_cohort,
                "title": "Open call: peer learning for open data stewards",
                "summary": "Join a six-month peer learning network and receive up to £20,000 for your time.",
                "description": story.DESCRIPTION,
                "eligibility": story.ELIGIBILITY,
                "opens_at": datetime.combine(today - timedelta(days=7), time(9, 0), tzinfo=LONDON),
                "closes_at": closes,
                "time_zone": "Europe/London",
                "review_deadline": closes + timedelta(days=21),
            },
        )

        self._seed_call_story(call, closes)

        if call_created:
            for position, (name, weight) in enumerate(
                [
                    ("Stewards open data anyone can use", "3"),
                    ("Maturity and sustainability", "2"),
                    ("What it brings to the cohort", "2"),
                ],
                start=1,
            ):
                Criterion.objects.create(call=call, name=name, weight=Decimal(weight), position=position)
            Question.objects.create(
                call=call,
                label="Roughly how many people or organisations use your data each month?",
                kind=Question.Kind.NUMBER,
                position=1,
            )
            Question.objects.create(
                call=call,
                label="Do you publish an API?",
                kind=Question.Kind.YES_NO,
                required=True,
                position=2,
            )
        reviewer = self._user(REVIEWER_EMAIL, staff=False)
        reviewer.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])

        applicant = self._user(APPLICANT_EMAIL)
        harbour, created = Organisation.objects.get_or_create(
            name="Harbour Tide Data Trust",
            defaults={
                "website": "https://harbourtide.example",
                "country": "PT",
                "open_data": "Open tide and harbour traffic data for small ports.",
            },
        )
        OrganisationPerson.objects.get_or_create(
            organisation=harbour, user=applicant, defaults={"role": OrganisationPerson.Role.LEAD}
        )

        for (name, website, country, open_data, people), amount in zip(MEMBERS, AWARDS, strict=True):
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"website": website, "country": country, "open_data": open_data}
            )
            membership, created = Membership.objects.get_or_create(
                cohort=running,
                organisation=organisation,
                defaults={"source": Membership.Source.APPLICATION, "listed_publicly": True},
            )
            if created:
                membership.themes.set(Theme.objects.order_by("position")[: 1 + len(membership.organisation.name) % 3])
            for position, email in enumerate(people):
                user = self._user(email)
                role = OrganisationPerson.Role.LEAD if position == 0 else OrganisationPerson.Role.MEMBER
                OrganisationPerson.objects.get_or_create(organisation=organisation, user=user, defaults={"role": role})
                Participant.objects.get_or_create(
                    membership=membership,
                    user=user,
                    defaults={
                        "role": Participant.Role.LEAD if position == 0 else Participant.Role.PARTICIPANT,
                        "show_contact_details": position == 0,
                        "delivery": Participant.Delivery.DIGEST if email == DIGEST_EMAIL else Participant.Delivery.EACH,
                    },
                )
            Award.objects.get_or_create(
                membership=membership, defaults={"amount": amount, "status": Award.Status.ACTIVE}
            )

        self._seed_events(running, today)
        self._seed_applications(call, staff_user)
        self._seed_funding(running, staff_user, today)
        seed_publication(running, staff_user)
        seed_reports(running, staff_user, today)
        # Written directly rather than through message_post: demo data sends no email.
        welcome, _ = Message.objects.get_or_create(
            cohort=running,
            subject="Welcome to cohort 2",
            parent=None,
            defaults={"author": staff_user, "body": "Welcome, everyone! Introduce your organisation in a reply."},
        )
        Message.objects.get_or_create(
            cohort=running,
            parent=welcome,
            author=get_user_model().objects.get(email=PARTICIPANT_EMAIL),
            defaults={"body": "Hello from Ledgerlight: we run an open register of companies."},
        )
        author, subject, body = MEMBER_THREAD
        Message.objects.get_or_create(
            cohort=running,
            subject=subject,
            parent=None,
            defaults={
                "author": get_user_model().objects.get(email=author),
                "body": body,
                "theme": Theme.objects.get(slug=MEMBER_THREAD_THEME),
            },
        )
        self._seed_chat(running)
        self._seed_participant_answer(running)
        self._seed_privacy_notice(staff_user)
        seed_feedback(running, demo_participant_email=PARTICIPANT_EMAIL)
        seed_stages(staff_user=staff_user, password=DEMO_PASSWORD)
        Resource.objects.get_or_create(
            cohort=running,
            title="Open data licensing: a short guide",
            defaults={"url": "https://opendefinition.org/licenses/", "added_by": staff_user},
        )

    def _seed_privacy_notice(self, staff_user):
        """Version 1 of the privacy notice, published by the demo staff member (once: a published one is kept)."""
        if PrivacyNotice.objects.filter(version__isnull=False).exists():
            return
        notice, _ = PrivacyNotice.objects.get_or_create(
            title="How CohortNet uses your personal data", body=PRIVACY_NOTICE
        )
        notice_publish(privacynotice=notice, by=staff_user)

    def _seed_chat(self, cohort: Cohort):
        """A short conversation in the cohort's General room, one line mentioning the demo participant.

        Written directly rather than through chat's message_post: demo data sends no mention email.
        """
        room = room_get_or_create(cohort=cohort)
        people = {user.email: user for user in get_user_model().objects.filter(email__in={e for e, _ in CHAT})}
        for email, body in CHAT:
            ChatMessage.objects.get_or_create(room=room, author=people[email], body=body)

    def _seed_participant_answer(self, cohort: Cohort):
        """The demo participant is going to the mid-point networking session, through the RSVP service.

        Only while she has no answer and answers are open: an answer she changed is hers to keep.
        """
        participant = get_user_model().objects.get(email=PARTICIPANT_EMAIL)
        event = Event.objects.get(cohort=cohort, title=PARTICIPANT_GOING_TO)
        if event.rsvps_open(timezone.now()) and not RSVP.objects.filter(event=event, user=participant).exists():
            rsvp_set(event=event, user=participant, going=True)

    def _seed_theme_looks(self):
        """Distinct colours and descriptions for the programme's themes; a colour or text staff chose is kept."""
        for theme in Theme.objects.filter(slug__in=story.THEMES):
            colour, description = story.THEMES[theme.slug]
            changed = []
            if theme.colour == Theme.Colour.TEAL and colour != theme.colour:  # still the default
                theme.colour = colour
                changed.append("colour")
            if not theme.description:
                theme.description = description
                changed.append("description")
            if changed:
                theme.save(update_fields=changed)

    def _seed_call_story(self, call: OpenCall, closes):
        """The call page's story: themes, what members get and give, a decisions date and the FAQ.

        A demo database seeded before the story existed gets it; anything staff already wrote is kept.
        """
        changed = []
        for field, value in [
            ("members_get", story.MEMBERS_GET),
            ("members_give", story.MEMBERS_GIVE),
            # After reviews are due (three weeks after closing) and before the cohort starts.
            ("decisions_by", closes.date() + timedelta(days=24)),
        ]:
            if not getattr(call, field):
                setattr(call, field, value)
                changed.append(field)
        if changed:
            call.save(update_fields=changed)
        if not call.themes.exists():
            call.themes.set(Theme.objects.filter(slug__in=story.THEMES))
        if not call.faq_items.exists():
            FaqItem.objects.bulk_create(
                FaqItem(call=call, question=question, answer=answer, position=position)
                for position, (question, answer) in enumerate(story.FAQ, start=1)
            )

    def _seed_applications(self, call: OpenCall, staff_user):
        """Applications in each stage of review; the decided ones through the workflow service, so the
        accepted organisation joins the next cohort and both decisions' emails wait, held, for staff to send."""
        S = Application.Status
        reviewers = {email: self._user(email) for email in (REVIEWER_EMAIL, SECOND_REVIEWER_EMAIL)}
        reviewers[SECOND_REVIEWER_EMAIL].groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
        criteria = list(call.criteria.order_by("position"))
        questions = list(call.questions.order_by("position"))
        themes = list(Theme.objects.order_by("position"))
        now = timezone.now()
        for index, (name, website, country, people, status, reviews) in enumerate(APPLICANTS):
            organisation, _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "website": website,
                    "country": country,
                    "open_data": f"{name}: open data published for anyone to use.",
                },
            )
            users = [self._user(email) for email in people]
            for position, user in enumerate(users):
                role = OrganisationPerson.Role.LEAD if position == 0 else OrganisationPerson.Role.MEMBER
                OrganisationPerson.objects.get_or_create(organisation=organisation, user=user, defaults={"role": role})
            if Application.objects.filter(call=call, organisation=organisation).exists():
                continue
            # Written directly rather than through application_submit and review_assign: demo data sends no email.
            submitted_at = now - timedelta(days=len(APPLICANTS) - index)
            application = Application(
                call=call,
                organisation=organisation,
                created_by=users[0],
                status=S.SUBMITTED,
                data_stewarded=f"{organisation.open_data} Used every month by councils, researchers and reporters.",
                licence="CC BY 4.0",
                sustainability="Grants and paid support contracts; two staff and a volunteer community.",
                contribution="How we run a volunteer community that keeps an open register current.",
                time_commitment="About two days a month",
                funding_requested=Decimal(15000 + 1000 * index),
                consent_to_publish=True,
                extra_answers={str(questions[0].pk): str(1200 * (index + 1)), str(questions[1].pk): "yes"},
                submitted_at=submitted_at,
            )
            application.full_clean()
            application.save()
            application.themes.set(themes[index % 3 : index % 3 + 2])
            Transition.objects.create(
                application=application, from_status=S.DRAFT, to_status=S.SUBMITTED, by=users[0], at=submitted_at
            )
            if not reviews:
                continue
            application.status = S.UNDER_REVIEW
            application.save(update_fields=["status", "updated_at"])
            Transition.objects.create(
                application=application,
                from_status=S.SUBMITTED,
                to_status=S.UNDER_REVIEW,
                by=staff_user,
                note="Review started: reviewers assigned.",
            )
            for email, scores, recommendation, note in reviews:
                assignment = ReviewAssignment.objects.create(
                    application=application, reviewer=reviewers[email], assigned_by=staff_user
                )
                if scores:
                    for criterion, value in zip(criteria, scores, strict=True):
                        Score.objects.create(assignment=assignment, criterion=criterion, value=value)
                    assignment.recommendation = recommendation
                    assignment.comment = note
                    assignment.submitted_at = now
                elif note:
                    assignment.conflict_declared_at = now
                    assignment.conflict_note = note
                assignment.save()
            if status != S.UNDER_REVIEW:
                application_transition(application=application, to=status, by=staff_user)

    def _seed_funding(self, cohort: Cohort, staff_user, today):
        """The first member's award paid in instalments (one approved and due, two scheduled), and its time."""
        award = Award.objects.select_related("membership").get(
            membership__cohort=cohort, membership__organisation__name=MEMBERS[0][0]
        )
        if not award.instalments.exists():
            for amount, days, approved in INSTALMENTS:
                instalment = instalment_schedule(
                    award=award, amount=amount, due_on=today + timedelta(days=days), by=staff_user
                )
                if approved:
                    instalment_approve(instalment=instalment, by=staff_user)
        participant = get_user_model().objects.get(email=PARTICIPANT_EMAIL)
        if not TimeEntry.objects.filter(membership=award.membership, user=participant).exists():
            event = Event.objects.filter(cohort=cohort, starts_at__lt=timezone.now()).order_by("starts_at").first()
            time_log(
                membership=award.membership,
                user=participant,
                date=today - timedelta(days=3),
                hours=Decimal("3.50"),
                activity="Drafting our section of the published output on company data licences",
                event=event,
            )

    def _seed_events(self, cohort: Cohort, today):
        themes = list(Theme.objects.order_by("position")[:4])
        plan = []
        for index, theme in enumerate(themes):
            plan.append((f"Roundtable: {theme.name}", Event.Kind.ROUNDTABLE, theme, -40 + index * 7, 12))
            plan.append((f"Roundtable: {theme.name} (follow-up)", Event.Kind.ROUNDTABLE, theme, 10 + index * 14, 12))
        plan += [
            ("Welcome networking session", Event.Kind.NETWORKING, None, -55, None),
            ("Mid-point networking and collaborations", Event.Kind.NETWORKING, None, 5, None),
            ("Workshop: writing the published output", Event.Kind.WORKSHOP, None, 20, 20),
            ("1:1 support: licensing questions", Event.Kind.SUPPORT, None, 8, 1),
        ]
        for title, kind, theme, day_offset, capacity in plan:
            starts = datetime.combine(today + timedelta(days=day_offset), time(14, 0), tzinfo=LONDON)
            Event.objects.get_or_create(
                cohort=cohort,
                title=title,
                defaults={
                    "kind": kind,
                    "theme": theme,
                    "description": "A conversation among member organisations, with notes shared afterwards.",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=90),
                    "time_zone": "Europe/London",
                    "online_url": "https://meet.example/cohort-2",
                    "capacity": capacity,
                },
            )
