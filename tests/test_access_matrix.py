"""Every URL the project defines × every kind of person, with the status each must get.

Public pages answer everyone; pages that need an account send anonymous
people to the login; another organisation's or cohort's objects are a 404.
The test fails when a URL pattern has no row here, so a new page must say
who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from events.services import calendar_token_for
from notifications.unsubscribe import unsubscribe_token
from tests.helpers import World

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


def _theme_slug() -> str:
    from cohorts.models import Theme

    return (Theme.objects.order_by("pk").first() or Theme.objects.create(name="Access", slug="access")).slug


_IN_COHORT_X = only({"participant_x": 200, "applicant_a": 200, "staff": 200, "finance": 200})
_IN_COHORT_X_REDIRECTED = only({"participant_x": 302, "applicant_a": 302, "staff": 302, "finance": 302})


def _chat_theme_room(world) -> str:
    from cohorts.models import Theme

    theme, _created = Theme.objects.get_or_create(slug="licensing", defaults={"name": "Licensing"})
    world.participant.membership.themes.add(theme)
    return f"/cohorts/{world.cohort_x.slug}/chat/themes/{theme.slug}/"


def _chat_message(world):
    from chat.services import message_post as chat_post
    from chat.services import room_get_or_create

    room = room_get_or_create(cohort=world.cohort_x)
    return room.messages.first() or chat_post(room=room, author=world.participant.user, body="Hello")


def _report_path(world) -> str:
    """Organisation A's report in a round of cohort X (made on first use)."""
    from outcomes.models import Report
    from tests.outcomes.reports_helpers import make_round

    report = Report.objects.filter(membership=world.participant.membership).first()
    if report is None:
        report = make_round(world.cohort_x).reports.get(membership=world.participant.membership)
    return report.get_absolute_url()


def _feedback_form(world):
    """An open cohort feedback form of cohort X with one question (made on first use)."""
    from datetime import timedelta

    from django.utils import timezone

    from outcomes.models import FeedbackForm, FeedbackQuestion

    form = FeedbackForm.objects.filter(cohort=world.cohort_x).first()
    if form is None:
        now = timezone.now()
        form = FeedbackForm.objects.create(
            cohort=world.cohort_x,
            title="Mid-point",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
        )
        FeedbackQuestion.objects.create(form=form, label="How is it going?", kind="scale", position=1)
    return form


# name -> (method, path builder, expected status per role)
MATRIX = {
    "home": ("get", lambda w: "/", public()),
    "healthz": ("get", lambda w: "/healthz/", public()),
    "open_data": ("get", lambda w: "/data/", public()),
    "open_data_file": ("get", lambda w: f"/data/{w.cohort_x.slug}/members.json", public()),
    "dashboard": ("get", lambda w: "/dashboard/", signed_in()),
    "profile": ("get", lambda w: "/profile/", signed_in()),
    "users:time_zone": ("post", lambda w: "/me/time-zone/", signed_in(400)),
    "privacy:notice": ("get", lambda w: "/privacy/", public()),
    "privacy:choices": ("get", lambda w: "/privacy/choices/", signed_in(405)),
    "privacy:export_request": ("get", lambda w: "/privacy/export/", signed_in(405)),
    "privacy:export_download": ("get", lambda w: "/privacy/export/made-up-token/", signed_in(404)),
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
    # Anyone signed in may search; what they find is only their own cohorts' (tests/cohorts/test_archive_search.py).
    "cohorts:archive_search": ("get", lambda w: "/messages/search/?q=hello", signed_in()),
    "cohorts:theme": (
        "get",
        lambda w: f"/cohorts/{w.cohort_x.slug}/themes/{_theme_slug()}/",
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
    # The publication (outcomes): published versions and their files are public; the editor is for staff with the
    # change permission, the preview and review for people of contributing organisations (World's A wrote nothing).
    "outcomes:publication": ("get", lambda w: w.publication.get_absolute_url(), public()),
    "outcomes:publication_version": ("get", lambda w: "/outputs/output/versions/1/", public()),
    "outcomes:publication_pdf": ("get", lambda w: "/outputs/output/versions/1/pdf/", public()),
    "outcomes:publication_cff": ("get", lambda w: "/outputs/output/versions/1/CITATION.cff", public()),
    "outcomes:publication_bib": ("get", lambda w: "/outputs/output/versions/1/citation.bib", public()),
    "outcomes:publication_edit": ("get", lambda w: "/outputs/output/edit/", only({})),
    "outcomes:publication_preview": ("get", lambda w: "/outputs/output/preview/", only({})),
    "outcomes:publication_publish": ("post", lambda w: "/outputs/output/publish/", only({})),
    "outcomes:publication_ask": ("post", lambda w: "/outputs/output/ask/", only({})),
    "outcomes:publication_review": ("get", lambda w: "/outputs/output/review/", only({})),
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
    # Reports: each person's own list; one report for the organisation's people and staff, a 404 to anyone else.
    "outcomes:reports": ("get", lambda w: "/reports/", signed_in()),
    # A cohort's feedback form: its participants answer; results are for staff (the admin's sign-in otherwise).
    "outcomes:feedback_answer": (
        "get",
        lambda w: f"/feedback/{_feedback_form(w).pk}/",
        only({"participant_x": 200, "applicant_a": 200}),
    ),
    "outcomes:feedback_results": (
        "get",
        lambda w: f"/feedback/{_feedback_form(w).pk}/results/",
        {**signed_in(302), "staff": 404, "finance": 404},  # staff who may view feedback forms (superusers) only
    ),
    "outcomes:feedback_results_csv": (
        "get",
        lambda w: f"/feedback/{_feedback_form(w).pk}/results.csv",
        {**signed_in(302), "staff": 404, "finance": 404},
    ),
    # Selection in stages: a one-stage call's application has no full form and no interview, for anyone.
    "applications:full": ("get", lambda w: f"/applications/{w.application.pk}/full/", only({})),
    "applications:interview": ("get", lambda w: f"/applications/{w.application.pk}/interview/", only({})),
    "applications:interview_book": (
        "post",
        lambda w: f"/applications/{w.application.pk}/interview/999999/book/",
        only({}),
    ),
    "open_data_selection": ("get", lambda w: "/data/selection.csv", public()),
    "outcomes:report": ("get", _report_path, _IN_COHORT_X),
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
    # Chat: the cohort's people and staff; a message's edit page is its author's alone.
    "chat:rooms": ("get", lambda w: f"/cohorts/{w.cohort_x.slug}/chat/", _IN_COHORT_X),
    "chat:general_room": ("get", lambda w: f"/cohorts/{w.cohort_x.slug}/chat/general/", _IN_COHORT_X),
    "chat:theme_room": ("get", lambda w: _chat_theme_room(w), _IN_COHORT_X),
    "chat:room_message": ("get", lambda w: f"/chat/messages/{_chat_message(w).pk}/", _IN_COHORT_X_REDIRECTED),
    "chat:message_edit": ("get", lambda w: f"/chat/messages/{_chat_message(w).pk}/edit/", only({"participant_x": 200})),
    "chat:message_delete": ("get", lambda w: f"/chat/messages/{_chat_message(w).pk}/delete/", signed_in(405)),
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
