"""Keyboard only (issue 15): an application submitted and an RSVP made with Tab, Shift+Tab, Enter and Space.

No mouse clicks, and nothing filled that the keyboard did not reach: every
control is reached by pressing Tab (a bounded number of times) and typed into
with the keyboard. Each control reached must show where the focus is (an
outline or a focus ring). axe runs on every page, and no page breaks the CSP.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from events.models import RSVP
from tests.e2e.test_applicant_journey_ui import Journey
from tests.factories import (
    PASSWORD,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PRESSES = 80

# What a screen reader would roughly call the focused element: its role and name.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return {role: "", name: "", id: "", tag: "BODY", visible: false}; }
  let role = el.getAttribute("role") || "";
  if (!role) {
    if (el.tagName === "A") { role = "link"; }
    else if (el.tagName === "BUTTON") { role = "button"; }
    else if (el.tagName === "TEXTAREA") { role = "textbox"; }
    else if (el.tagName === "SELECT") { role = "combobox"; }
    else if (el.tagName === "INPUT") {
      role = {checkbox: "checkbox", radio: "radio", submit: "button", button: "button"}[el.type] || "textbox";
    }
  }
  const labelled = el.getAttribute("aria-labelledby");
  let name = el.getAttribute("aria-label") || "";
  if (!name && labelled) {
    name = labelled.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || "").join(" ");
  }
  if (!name && el.labels && el.labels.length) { name = el.labels[0].textContent; }
  if (!name) { name = el.textContent || el.value || ""; }
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return {role: role, name: name.replace(/\\s+/g, " ").trim(), id: el.id, tag: el.tagName, visible: ring};
}"""


class Keyboard(Journey):
    """A page driven by the keyboard only; focus that cannot be seen is a problem too."""

    def focus(self) -> dict:
        return self.page.evaluate(DESCRIBE_FOCUS)

    def tab_to(self, role: str, name: str, *, backwards: bool = False) -> dict:
        """Press Tab (or Shift+Tab) until the focus is on a ``role`` whose name matches ``name`` (a regex)."""
        key = "Shift+Tab" if backwards else "Tab"
        seen = []
        for _ in range(MAX_PRESSES):
            self.page.keyboard.press(key)
            focus = self.focus()
            seen.append(f"{focus['role']} {focus['name'][:40]!r}")
            if focus["role"] == role and re.search(name, focus["name"]):
                if not focus["visible"]:
                    self.problems.append(f"No visible focus on {role} {focus['name']!r} at {self.page.url}")
                return focus
        raise AssertionError(
            f"{role} named /{name}/ not reached with {MAX_PRESSES} presses of {key} on {self.page.url}; "
            f"the focus went: {' → '.join(seen)}"
        )

    def type_into(self, role: str, name: str, text: str):
        self.tab_to(role, name)
        self.page.keyboard.type(text)


def test_an_application_and_an_rsvp_with_the_keyboard_only(live_server, browser):
    base = live_server.url
    call = OpenCallFactory(
        title="Open call: stewards 2027",
        closes_at=timezone.now() + timedelta(days=30),
        funding_cap=Decimal("20000.00"),
    )
    lead = OrganisationPersonFactory(organisation__name="River Data Trust", user__name="Maya Okafor")
    person = lead.user
    membership = MembershipFactory(organisation=lead.organisation, cohort__name="Stewards 2026")
    ParticipantFactory(membership=membership, user=person)
    event = EventFactory(cohort=membership.cohort, title="Roundtable: licensing", capacity=10)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    keys = Keyboard(context.new_page())
    page = keys.page

    # The first Tab on a page reaches the skip link; Enter takes the focus to the main content.
    page.goto(f"{base}{call.get_absolute_url()}")
    keys.check("call page")
    page.keyboard.press("Tab")
    assert keys.focus()["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert keys.focus()["id"] == "main"

    # Apply: sign in first, then start the application for the organisation.
    keys.tab_to("link", r"^Apply now$")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    keys.check("sign in")
    keys.type_into("textbox", r"^Email", person.email)
    keys.type_into("textbox", r"^Password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Start the application")).to_be_visible()
    keys.check("start the application")
    keys.tab_to("button", r"^Start the application$")
    page.keyboard.press("Enter")

    # The form, answered from the keyboard; the licence forgotten.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application to {call.title}")
    keys.check("application form")
    keys.type_into("textbox", r"^The open data you steward", "Water quality readings from 300 volunteers.")
    keys.type_into("textbox", r"^How the work is sustained", "Council contracts.")
    keys.type_into("textbox", r"^What you can contribute", "Volunteer training.")
    keys.type_into("textbox", r"^Time you can commit", "A day a month")
    keys.tab_to("checkbox", r"^Collaborative data collection")
    page.keyboard.press("Space")
    keys.type_into("textbox", r"^Funding requested", "12000")
    keys.tab_to("checkbox", r"^We agree to contribute")
    page.keyboard.press("Space")
    keys.tab_to("button", r"^Submit application$")
    page.keyboard.press("Enter")

    # Refused: the summary has the focus; Tab reaches its link, Enter puts the focus in the field.
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    keys.check("application form with an error")
    keys.tab_to("link", r"^The open licence")
    page.keyboard.press("Enter")
    assert keys.focus()["id"] == "id_licence"
    page.keyboard.type("CC BY 4.0")
    keys.tab_to("button", r"^Submit application$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="We received it on")).to_contain_text("Submitted")
    keys.check("application status")
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.licence == "CC BY 4.0"
    assert application.funding_requested == Decimal("12000.00")
    assert application.consent_to_publish is True
    assert list(application.themes.values_list("name", flat=True)) == ["Collaborative data collection and maintenance"]

    # The RSVP: from the home's next event to the event page, "Going" with the space bar.
    page.goto(f"{base}/dashboard/")
    keys.check("participant home")
    keys.tab_to("link", rf"^{re.escape(event.title)}$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    keys.check("event page")
    keys.tab_to("button", r"^Going$")
    page.keyboard.press("Space")
    expect(page.get_by_text(f"You are going to {event.title}.")).to_be_visible()
    assert RSVP.objects.get(event=event, user=person).status == RSVP.Status.GOING
    # Shift+Tab goes back through the page: the calendar links before the answer box are still reachable.
    keys.tab_to("link", r"^\.ics file$")
    keys.tab_to("button", r"^Cancel: not going$", backwards=True)
    keys.check("event page, going")

    assert not keys.problems, "\n".join(keys.problems)
    context.close()
