"""Every URL the project defines × every kind of person, with the status each must get.

Public pages answer everyone; pages that need an account send anonymous
people to the login; another organisation's or cohort's objects are a 404.
The test fails when a URL pattern has no row here, so a new page must say
who may see it.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from applications.models import Invitation
from cohorts.models import ColleagueInvite, Publication
from cohorts.services import message_post, resource_add
from events.models import SupportSlot
from events.services import answer_link, calendar_token_for
from funding import services as funding_services
from notifications.reminders import opt_out_link
from notifications.unsubscribe import unsubscribe_token
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
)

ROLES = ["anonymous", "applicant_a", "applicant_b", "participant_x", "participant_y", "reviewer", "finance", "staff"]
LOGIN = 302  # anonymous people are sent to sign in
EXCLUDED_NAMESPACES = {"admin"}


def _project_url_names() -> set[str]:
    """Named URL patterns of the project itself: not the admin's, not allauth's."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES or pattern.urlconf_module.__name__.startswith("allauth"):
                    continue
                walk(pattern.url_patterns, f"{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def public(status=200):
    return dict.fromkeys(ROLES, status)


def signed_in(status=200, anonymous=LOGIN):
    return {**dict.fromkeys(ROLES, status), "anonymous": anonymous}


def only(allowed: dict, others=404, anonymous=LOGIN):
    return {**dict.fromkeys(ROLES, others), "anonymous": anonymous, **allowed}


# name -> (method, path builder, expected status per role)
MATRIX = {
    "home": ("get", lambda w: "/", public()),
    "healthz": ("get", lambda w: "/healthz/", public()),
    "open_data": ("get", lambda w: "/data/", public()),
    "open_data_file": ("get", lambda w: f"/data/{w.cohort_x.slug}/members.json", public()),
    "dashboard": ("get", lambda w: "/dashboard/", signed_in()),
    "profile": ("get", lambda w: "/profile/", signed_in()),
    "cohort_home": (
        "get",
        lambda w: w.cohort_x.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "applications:call_list": ("get", lambda w: "/calls/", public()),
    "applications:call_detail": ("get", lambda w: w.call.get_absolute_url(), public()),
    # Without an organisation you are sent to create one; with one you choose it.
    "applications:start": (
        "get",
        lambda w: f"/calls/{w.call.slug}/apply/",
        {**signed_in(302), "applicant_a": 200, "applicant_b": 200, "participant_x": 200},
    ),
    "applications:invitation": ("get", lambda w: w.invitation.get_absolute_url(), public(302)),
    "applications:list": ("get", lambda w: "/applications/", signed_in()),
    "applications:detail": (
        "get",
        lambda w: w.application.get_absolute_url(),
        only({"applicant_a": 200, "participant_x": 200}),
    ),
    # A submitted application is no longer edited: its people go to the status page.
    "applications:edit": (
        "get",
        lambda w: f"/applications/{w.application.pk}/edit/",
        only({"applicant_a": 302, "participant_x": 302}),
    ),
    "applications:autosave": (
        "post",
        lambda w: f"/applications/{w.application.pk}/autosave/",
        {**only({"applicant_a": 200, "participant_x": 200}), "anonymous": 200},
    ),
    "applications:withdraw": (
        "get",
        lambda w: f"/applications/{w.application.pk}/withdraw/",
        only({"applicant_a": 200, "participant_x": 200}),
    ),
    "applications:review_list": ("get", lambda w: "/reviews/", signed_in()),
    "applications:review": ("get", lambda w: w.assignment.get_absolute_url(), only({"reviewer": 200})),
    "applications:review_conflict": (
        "post",
        lambda w: f"/reviews/{w.assignment.pk}/conflict/",
        only({"reviewer": 302}),
    ),
    "cohorts:organisation_create": ("get", lambda w: "/organisations/new/", signed_in()),
    "cohorts:organisation_detail": (
        "get",
        lambda w: w.org_a.get_absolute_url(),
        only({"applicant_a": 200, "participant_x": 200}),
    ),
    "cohorts:colleague_remove": (
        "post",
        lambda w: f"/organisations/{w.org_a.pk}/people/{w.removable.pk}/remove/",
        # Only a lead contact removes people (participant_x is A's lead); to everyone else it does not exist.
        only({"participant_x": 302}),
    ),
    "cohorts:invite_accept": ("get", lambda w: w.colleague_invite.get_absolute_url(), signed_in()),
    "cohorts:list": ("get", lambda w: "/cohorts/", signed_in()),
    "cohorts:directory": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/members/",
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "cohorts:messages": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/messages/",
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "cohorts:thread": (
        "get",
        lambda w: w.thread.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    # Settings are a participant's own; staff who take part in nothing have none.
    "cohorts:preferences": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/settings/",
        only({"participant_x": 200, "applicant_a": 200}),
    ),
    "cohorts:resources": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/resources/",
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "cohorts:resource_file": (
        "get",
        lambda w: w.resource.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "cohorts:contributions": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/output/",
        only({"participant_x": 200, "applicant_a": 200}),
    ),
    "cohorts:publication": ("get", lambda w: w.publication.get_absolute_url(), public()),
    "events:detail": (
        "get",
        lambda w: w.event.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "events:ics": (
        "get",
        lambda w: f"/events/{w.event.pk}/event.ics",
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "events:rsvp": (
        "post",
        lambda w: f"/events/{w.event.pk}/rsvp/",
        only({"participant_x": 302, "applicant_a": 302, "staff": 302, "finance": 302}),
    ),
    "events:written_input": (
        "post",
        lambda w: f"/events/{w.event.pk}/input/",
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    "events:answer": ("get", lambda w: w.answer_path, public()),
    "events:calendar": ("get", lambda w: "/calendar/", signed_in()),
    "events:calendar_revoke": ("post", lambda w: "/calendar/revoke/", signed_in(302)),
    # The current secret address (an earlier row revokes and replaces it).
    "events:feed": ("get", lambda w: calendar_token_for(w.users["participant_x"]).get_absolute_url(), public()),
    "events:slot_detail": (
        "get",
        lambda w: w.slot.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    # The world's slot is not booked: no calendar file for anyone yet.
    "events:slot_ics": ("get", lambda w: f"/support/{w.slot.pk}/support.ics", only({})),
    "events:slot_book": (
        "post",
        lambda w: f"/support/{w.slot.pk}/book/",
        # Organisations book; staff, who belong to none, do not.
        only({"participant_x": 302, "applicant_a": 302}),
    ),
    "events:slot_cancel": (
        "post",
        lambda w: f"/support/{w.slot.pk}/cancel/",
        only({"participant_x": 302, "applicant_a": 302, "staff": 302, "finance": 302}),
    ),
    "funding:award": (
        "get",
        lambda w: w.award.get_absolute_url(),
        only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200}),
    ),
    # Signed agreements and invoices: Finance, staff and the organisation's lead contact (participant_x leads A).
    "funding:agreement_file": (
        "get",
        lambda w: w.award.get_agreement_url(),
        only({"participant_x": 200, "staff": 200, "finance": 200}),
    ),
    "funding:invoice_file": (
        "get",
        lambda w: w.instalment.get_invoice_url(),
        only({"participant_x": 200, "staff": 200, "finance": 200}),
    ),
    # Staff pages: signed-in non-staff are sent to the admin's login.
    "funding:dashboard": (
        "get",
        lambda w: f"/funding/cohorts/{w.cohort_x.slug}/",
        {**signed_in(302), "staff": 200, "finance": 200},
    ),
    "funding:export_instalments": (
        "get",
        lambda w: f"/funding/cohorts/{w.cohort_x.slug}/instalments.csv",
        {**signed_in(302), "staff": 200, "finance": 200},
    ),
    "funding:export_history": (
        "get",
        lambda w: f"/funding/cohorts/{w.cohort_x.slug}/history.csv",
        {**signed_in(302), "staff": 200, "finance": 200},
    ),
    "notifications:preferences": ("get", lambda w: "/reminders/", signed_in()),
    "notifications:opt_out": ("get", lambda w: w.opt_out_path, public()),
    # A GET only shows the button; the signed token, not a session, says whose email stops.
    "notifications:unsubscribe": (
        "get",
        lambda w: reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(w.users["participant_x"], "cohort_message", w.cohort_x.pk)],
        ),
        public(),
    ),
}


class World:
    """A's and X's objects, and a person for every role."""

    def __init__(self):
        from django.contrib.auth.models import Group

        self.call = OpenCallFactory()
        self.cohort_x = self.call.cohort
        lead_a = OrganisationPersonFactory(role="lead")
        self.org_a = lead_a.organisation
        self.colleague = OrganisationPersonFactory(organisation=self.org_a, role="member").user
        self.application = ApplicationFactory(
            call=self.call, organisation=self.org_a, created_by=lead_a.user, status="under_review"
        )
        membership_x = MembershipFactory(cohort=self.cohort_x, organisation=self.org_a)
        participant_x = ParticipantFactory(membership=membership_x, user=lead_a.user)
        ParticipantFactory(membership=membership_x, user=self.colleague)
        self.removable = OrganisationPersonFactory(organisation=self.org_a, role="member").user
        self.assignment = ReviewAssignmentFactory(application=self.application)
        finance = UserFactory(is_staff=True)
        finance.groups.add(Group.objects.get(name="Finance"))
        self.users = {
            "anonymous": None,
            "applicant_a": self.colleague,
            "applicant_b": OrganisationPersonFactory(role="lead").user,
            "participant_x": participant_x.user,
            "participant_y": ParticipantFactory().user,
            "reviewer": self.assignment.reviewer,
            "finance": finance,
            "staff": UserFactory(is_staff=True),
        }
        self.event = EventFactory(cohort=self.cohort_x)
        self.thread = message_post(cohort=self.cohort_x, author=self.users["staff"], subject="Hi", body="Hello")
        self.resource = resource_add(
            cohort=self.cohort_x,
            user=participant_x.user,
            title="Guide",
            upload=SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide"),
        )
        self.award = funding_services.award_update(
            award=AwardFactory(membership=membership_x),
            by=None,
            agreement_file=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 agreement"),
        )
        self.instalment = funding_services.instalment_schedule(
            award=self.award,
            amount=Decimal("1000.00"),
            due_on=date(2027, 1, 31),
            by=None,
            invoice_file=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice"),
        )
        self.invitation = Invitation.objects.create(call=self.call, organisation_name="New", contact_email="n@x.org")
        self.colleague_invite = ColleagueInvite.objects.create(
            organisation=self.org_a, email="c@x.org", invited_by=lead_a.user
        )
        self.slot = SupportSlot.objects.create(
            cohort=self.cohort_x,
            host=self.users["staff"],
            starts_at=timezone.now() + timedelta(days=3),
            ends_at=timezone.now() + timedelta(days=3, hours=1),
        )
        self.publication = Publication.objects.create(
            cohort=self.cohort_x, title="Output", slug="output", published_at=timezone.now()
        )
        self.answer_path = answer_link(event=self.event, user=participant_x.user, answer="not_going").split(
            "127.0.0.1:8000"
        )[1]
        self.opt_out_path = opt_out_link(participant_x.user, "event_going").split("127.0.0.1:8000")[1]


def test_every_project_url_has_a_row():
    assert _project_url_names() == set(MATRIX)


@pytest.mark.django_db
def test_access_matrix(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = World()
    mismatches = []
    for name, (method, path_for, expected) in sorted(MATRIX.items()):
        path = path_for(world)
        for role in ROLES:
            client.logout()
            if world.users[role] is not None:
                client.force_login(world.users[role])
            response = getattr(client, method)(path)
            if response.status_code != expected[role]:
                mismatches.append(
                    f"{name} {method.upper()} {path} as {role}: {response.status_code}, expected {expected[role]}"
                )
    assert mismatches == [], "\n".join(mismatches)
