"""A lead contact invites a colleague, who signs up, finds the directory and replies in a thread."""

import re

import pytest
from playwright.sync_api import expect

from cohorts.models import Message
from cohorts.services import message_post
from tests.factories import PASSWORD, MembershipFactory, OrganisationPersonFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEAGUE = "grace@threadmap.example"
COLLEAGUE_PASSWORD = "apparel-facilities-map-2026"


def _link(mailoutbox, path):
    (message,) = [m for m in mailoutbox if m.to == [COLLEAGUE] and path in m.body]
    return re.search(rf"https?://\S+{path}\S+", message.body).group(0)


def test_lead_invites_a_colleague_who_signs_up_reads_the_directory_and_replies(live_server, browser, mailoutbox):
    base = live_server.url
    lead_link = OrganisationPersonFactory(organisation__name="Threadmap Open Facilities", role="lead")
    membership = MembershipFactory(organisation=lead_link.organisation)
    ParticipantFactory(membership=membership, user=lead_link.user, role="lead")
    other = ParticipantFactory(
        membership__cohort=membership.cohort, membership__organisation__name="Riverwatch", show_contact_details=True
    )
    thread = message_post(
        cohort=membership.cohort, author=UserFactory(is_staff=True), subject="Welcome to the cohort", body="Say hello!"
    )

    lead = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    lead.set_default_timeout(10_000)
    lead.goto(f"{base}/accounts/login/")
    lead.get_by_label("Email", exact=True).fill(lead_link.user.email)
    lead.get_by_label("Password").fill(PASSWORD)
    lead.get_by_role("button", name="Sign In").click()
    lead.goto(f"{base}{lead_link.organisation.get_absolute_url()}")
    lead.get_by_label("Colleague's email address").fill(COLLEAGUE)
    lead.get_by_role("button", name="Send the invitation").click()
    expect(lead.get_by_text(f"Invitation sent to {COLLEAGUE}.")).to_be_visible()

    colleague = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    colleague.set_default_timeout(10_000)
    colleague.goto(_link(mailoutbox, "/organisations/join/").replace("http://127.0.0.1:8000", base))
    colleague.get_by_role("link", name="sign up").click()
    colleague.get_by_label("Full name").fill("Marta Jansen")
    colleague.get_by_label("Email", exact=True).fill(COLLEAGUE)
    colleague.get_by_role("textbox", name="Password", exact=True).fill(COLLEAGUE_PASSWORD)
    colleague.get_by_label("Password (again)").fill(COLLEAGUE_PASSWORD)
    colleague.get_by_role("button", name="Sign Up").click()
    confirm = re.search(
        r"https?://\S+/accounts/confirm-email/\S+", [m for m in mailoutbox if m.to == [COLLEAGUE]][-1].body
    )
    colleague.goto(confirm.group(0).replace("http://testserver", base))
    colleague.get_by_role("button", name="Confirm").click()
    colleague.get_by_role("button", name="Accept the invitation").click()
    expect(colleague.get_by_text("You now act for Threadmap Open Facilities.")).to_be_visible()

    colleague.goto(f"{base}{membership.cohort.get_absolute_url()}")
    colleague.get_by_role("link", name="Members").click()
    expect(colleague.get_by_role("heading", name="Riverwatch")).to_be_visible()
    expect(colleague.get_by_text(other.user.email)).to_be_visible()
    colleague.get_by_role("link", name="Messages").click()
    colleague.get_by_role("link", name="Welcome to the cohort").click()
    colleague.get_by_label("Your reply").fill("Hello from Threadmap!")
    colleague.get_by_role("button", name="Post reply").click()
    expect(colleague.get_by_text("Your reply has been posted.")).to_be_visible()
    expect(colleague.get_by_text("Hello from Threadmap!")).to_be_visible()
    assert list(Message.objects.filter(parent=thread).values_list("author__email", "body")) == [
        (COLLEAGUE, "Hello from Threadmap!")
    ]
