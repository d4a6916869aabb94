"""Issue 17's feedback journey in Chromium.

Staff attach a feedback form to a roundtable that has ended, through the
admin's own form. The periodic sweep then emails the people marked as attended
(only them: the no-show gets nothing). One of them follows the emailed link,
signs in and answers in the browser, at desktop and phone width. Staff open the
results from the form's admin page: one answer, with the values she gave.
"""

import re
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cohortnet.tasks import sweep
from events.models import RSVP
from outcomes.models import FeedbackForm, FeedbackResponse
from tests.e2e.test_applicant_journey_ui import VIEWPORTS, Journey
from tests.factories import PASSWORD, EventFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_staff_attach_a_form_attendees_get_it_one_answers_and_the_results_count_it(
    live_server, browser, settings, viewport
):
    base = live_server.url
    settings.SITE_URL = base
    membership = MembershipFactory(organisation__name="River Data Trust", cohort__name="Stewards 2026")
    maya = ParticipantFactory(membership=membership, user__name="Maya Okafor", user__email="maya@river.example").user
    tom = ParticipantFactory(membership=membership, user__name="Tom Ruiz", user__email="tom@river.example").user
    ended = timezone.now() - timedelta(hours=1)
    event = EventFactory(
        cohort=membership.cohort,
        title="Roundtable: revenue models",
        starts_at=ended - timedelta(minutes=90),
        ends_at=ended,
    )
    RSVP.objects.create(event=event, user=maya, status=RSVP.Status.GOING, attendance=RSVP.Attendance.ATTENDED)
    RSVP.objects.create(event=event, user=tom, status=RSVP.Status.GOING, attendance=RSVP.Attendance.NO_SHOW)
    staff = UserFactory(name="Sam Staff", email="sam@cohortnet.example", is_staff=True, is_superuser=True)
    closes = (timezone.now() + timedelta(days=7)).astimezone(UTC)

    # Staff build the form in the admin: attached to the event, two questions.
    admin = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    admin.set_default_timeout(10_000)
    admin.goto(f"{base}/admin/outcomes/feedbackform/add/")
    admin.get_by_label("Email").fill(staff.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign In").click()
    expect(admin.get_by_role("heading", name="Add feedback form")).to_be_visible()
    admin.get_by_label("Cohort:").select_option(label="Stewards 2026")
    admin.get_by_label("Event:").select_option(label="Roundtable: revenue models")
    admin.get_by_label("Title:").fill("How was the roundtable?")
    admin.get_by_label("Closes at: date").fill(closes.strftime("%Y-%m-%d"))
    admin.get_by_label("Closes at: time").fill("12:00")
    admin.locator("#id_questions-0-label").fill("How useful was it?")
    admin.locator("#id_questions-0-kind").select_option(label="Scale of 1 to 5")
    admin.locator("#id_questions-0-required").check()
    admin.get_by_role("button", name=re.compile("Add another feedback question", re.I)).click()
    admin.locator("#id_questions-1-label").fill("Best part")
    admin.locator("#id_questions-1-kind").select_option(label="Single choice")
    admin.locator("#id_questions-1-choices").fill("Talks\nDiscussion\nPeople")
    admin.locator("#id_questions-1-position").fill("2")
    admin.get_by_role("button", name="Save and continue editing").click()
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    form = FeedbackForm.objects.get()
    assert (form.event, form.title, form.anonymous) == (event, "How was the roundtable?", False)
    assert list(form.questions.values_list("label", "kind")) == [
        ("How useful was it?", "scale"),
        ("Best part", "single_choice"),
    ]

    # The event has ended: the sweep emails the people who attended, once.
    mail.outbox.clear()
    sweep()
    sweep()
    invitations = [m for m in mail.outbox if m.subject == "Your feedback: How was the roundtable?"]
    assert [m.to for m in invitations] == [["maya@river.example"]]
    link = re.search(r"https?://\S+/feedback/\d+/", invitations[0].body).group(0)
    assert link == f"{base}/feedback/{form.pk}/"

    # Maya follows the link, signs in and answers.
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page())
    page = journey.page
    page.goto(link)
    page.get_by_label("Email").fill(maya.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was the roundtable?")
    journey.check("feedback form")
    page.get_by_role("button", name="Send my answers").click()
    # The scale is required: the form comes back with the problem named, nothing saved.
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert FeedbackResponse.objects.count() == 0
    journey.check("feedback form with a problem")
    page.get_by_role("radio", name="4").check()
    page.get_by_role("radio", name="Discussion").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    expect(page.get_by_text("You have answered this form. Thank you!")).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    journey.check("feedback form answered")
    assert FeedbackResponse.objects.get().user == maya

    # Staff open the results from the form's admin page: one answer, her values.
    admin.get_by_role("link", name="Results: counts and charts").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("How was the roundtable?")
    expect(admin.locator("#response-count")).to_have_text("1 answer")
    useful = admin.get_by_role("region", name="How useful was it?")
    expect(useful).to_contain_text("1 answer · mean 4.00")
    expect(useful.get_by_role("row", name="4 1")).to_be_visible()
    expect(useful.get_by_role("row", name="5 0")).to_be_visible()
    best = admin.get_by_role("region", name="Best part")
    expect(best.get_by_role("row", name="Discussion 1")).to_be_visible()
    expect(best.get_by_role("row", name="Talks 0")).to_be_visible()
    expect(useful.get_by_role("img", name="Answers to “How useful was it?”")).to_be_visible()
    results = Journey(admin)
    results.check("feedback results")

    assert not journey.problems + results.problems, "\n".join(journey.problems + results.problems)
    context.close()
