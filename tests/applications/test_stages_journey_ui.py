"""Selection in stages in Chromium (issue 19's acceptance), at desktop width with axe and a strict CSP.

An organisation submits an expression of interest; staff shortlist it in the admin; the invitation email's
link opens the full application, which it completes and submits; it books an interview slot (both sides
get a calendar invitation); staff write feedback, accept it and send the decision email; only then does
the applicant read the feedback on its status page.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application, InterviewSlot
from notifications.models import Email
from tests.e2e.test_applicant_journey_ui import Journey
from tests.factories import PASSWORD, OpenCallFactory, OrganisationPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Data Commons 2027"
FEEDBACK = "Your governance stood out; in the cohort, grow beyond grant income."


def _sign_in(page, email):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()


def _action(admin, base, organisation, label):
    admin.goto(f"{base}/admin/applications/application/")
    admin.get_by_role("row", name=re.compile(organisation)).get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label=label)
    admin.get_by_role("button", name="Go").click()


def test_expression_shortlist_full_application_interview_and_feedback(live_server, browser, mailoutbox):
    base = live_server.url
    now = timezone.now()
    call = OpenCallFactory(
        title=TITLE,
        opens_at=now - timedelta(days=10),
        expressions_close_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=20),
        interviews_book_by=now + timedelta(days=25),
    )
    link = OrganisationPersonFactory(
        organisation__name="Harbour Tides", user__name="Maya Patel", user__email="maya@harbourtides.example"
    )
    staff = UserFactory(name="Ada Lovelace", email="ada@programme.example", is_staff=True, is_superuser=True)
    slot = InterviewSlot.objects.create(
        call=call,
        host=staff,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, minutes=45),
        online_url="https://meet.example/interview",
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page())
    page = journey.page

    # The expression of interest: the short form only.
    page.goto(f"{base}/accounts/login/")
    _sign_in(page, link.user.email)
    page.goto(f"{base}{call.get_absolute_url()}")
    page.get_by_role("link", name="Apply now").first.click()
    page.get_by_role("button", name="Start the application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Expression of interest in {TITLE}")
    expect(page.get_by_label("The open licence(s) the data is published under")).to_have_count(0)
    journey.check("expression of interest")
    page.get_by_label("The open data you steward, and who uses it").fill("Tide tables for 40 small ports.")
    page.get_by_label("Sustainability and revenue models").check()
    page.get_by_role("button", name="Submit expression of interest").click()
    expect(page.get_by_role("status").filter(has_text="We received your expression of interest")).to_be_visible()
    journey.check("expression received")
    application = Application.objects.get()
    assert (application.stage, application.status) == (Application.Stage.EXPRESSION, Application.Status.SUBMITTED)

    # Staff shortlist it from the admin's list.
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin_context.set_default_timeout(10_000)
    admin = admin_context.new_page()
    admin.goto(f"{base}/admin/")
    _sign_in(admin, staff.email)
    _action(admin, base, "Harbour Tides", "Invite to the full application (shortlist)")
    expect(
        admin.get_by_text(
            "Shortlisted 1 expression(s) of interest: each organisation is emailed a link to the full application."
        )
    ).to_be_visible()

    # The invitation's link opens the full application.
    (invitation,) = [m for m in mailoutbox if m.subject == f"You are invited to the full application: {TITLE}"]
    assert invitation.to == ["maya@harbourtides.example"]
    full_link = re.search(r"Complete it here: (\S+)", invitation.body).group(1)
    path = full_link.split("://", 1)[1].split("/", 1)[1]
    page.goto(f"{base}/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Full application to {TITLE}")
    expect(page.get_by_label("The open data you steward, and who uses it")).to_have_value(
        "Tide tables for 40 small ports."
    )
    journey.check("full application")
    page.get_by_label("The open licence(s) the data is published under").fill("CC BY 4.0")
    page.get_by_label("How the work is sustained (revenue model)").fill("Port authorities pay for support.")
    page.get_by_label("What you can contribute to the other organisations").fill("Volunteer sensor networks.")
    page.get_by_label("Time you can commit between the cohort's start and end").fill("Two days a month")
    page.get_by_label("Funding requested (GBP)").fill("12000")
    page.get_by_label("We agree to contribute to the programme's published output").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status").filter(has_text="Submitted. We received it on")).to_be_visible()

    # It books the interview; both sides get the calendar invitation.
    page.get_by_role("link", name="Choose an interview time").click()
    journey.check("interview times")
    page.get_by_role("button", name=re.compile(r"^Book ")).first.click()
    expect(page.get_by_text("Your interview is booked. We have emailed you a calendar invitation.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
    journey.check("interview booked")
    booked = [m for m in mailoutbox if m.subject.startswith("Interview booked: Harbour Tides")]
    assert sorted(m.to[0] for m in booked) == ["ada@programme.example", "maya@harbourtides.example"]
    for message in booked:
        (name, content, mimetype) = message.attachments[0]
        assert (name, mimetype.split(";")[0]) == ("interview.ics", "text/calendar")
        assert f"UID:{slot.uid}" in content

    # Staff write the feedback on the application's page, start the review and accept.
    admin.goto(f"{base}/admin/applications/application/{application.pk}/change/")
    admin.get_by_role("textbox", name="Feedback:").fill(FEEDBACK)
    admin.get_by_role("button", name="Save and continue editing").click()
    expect(admin.get_by_role("textbox", name="Feedback:")).to_have_value(FEEDBACK)
    for label, confirm in [
        ("Start review", "Yes, start review: 1 application"),
        ("Accept: make the organisation a member of the cohort", "Yes, accept: 1 application"),
    ]:
        _action(admin, base, "Harbour Tides", label)
        admin.get_by_role("button", name=confirm).click()

    # Decided, the email held: the applicant does not see the feedback yet.
    page.goto(f"{base}{application.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("Accepted")
    expect(page.get_by_text(FEEDBACK)).to_have_count(0)
    assert not [m for m in mailoutbox if FEEDBACK in m.body]

    # Staff send the decision email: now the applicant reads the feedback, in the email and on the page.
    admin.goto(f"{base}/admin/notifications/email/?kind__exact=decision")
    admin.get_by_role("row", name=re.compile("accepted")).get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Send the selected held emails")
    admin.get_by_role("button", name="Go").click()
    admin.get_by_role("button", name="Yes, send 1 email").click()
    expect(admin.get_by_text("Released 1 email(s).")).to_be_visible()
    assert Email.objects.get(kind="decision").status == Email.Status.SENT
    (decision,) = [m for m in mailoutbox if FEEDBACK in m.body]
    assert decision.to == ["maya@harbourtides.example"]

    page.reload()
    expect(page.get_by_role("heading", name="Feedback on your application")).to_be_visible()
    expect(page.get_by_text(FEEDBACK)).to_be_visible()
    journey.check("feedback on the status page")
    assert not journey.problems, "\n".join(journey.problems)
    context.close()
    admin_context.close()
