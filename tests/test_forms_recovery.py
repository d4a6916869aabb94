"""Forms people can recover from (issue 15), after the GOV.UK Design System's patterns.

The error summary links each error to its field, the page's title says "Error: ", money
is answered in money, nothing typed is lost, and answers read as words, not raw values.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.forms import ApplicationForm
from applications.models import Application
from cohorts.models import Organisation, Theme
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    EventFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    QuestionFactory,
    ReviewAssignmentFactory,
    UserFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    link = OrganisationPersonFactory()
    client.force_login(link.user)
    client.link = link
    return client


def _title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def _summary(html: str) -> list[tuple[str, str]]:
    """The error summary's items as (href or "", text)."""
    match = re.search(r"<div class=\"alert alert-danger error-summary\"(.*?)</div>", html, re.S)
    assert match, "no error summary on the page"
    block = match.group(1)
    assert 'role="alert"' in block
    assert 'tabindex="-1"' in block
    assert re.search(r"<h2[^>]*>There is a problem</h2>", block)
    items = []
    for item in re.findall(r"<li>(.*?)</li>", block, re.S):
        link = re.match(r'<a class="alert-link" href="#([^"]+)">(.*)</a>$', item.strip(), re.S)
        items.append((link.group(1), link.group(2)) if link else ("", item.strip()))
    return items


def _draft(applicant, **kwargs) -> Application:
    defaults = {
        "organisation": applicant.link.organisation,
        "created_by": applicant.link.user,
        "data_stewarded": "",
        "licence": "",
        "sustainability": "",
        "contribution": "",
        "time_commitment": "",
        "funding_requested": None,
        "consent_to_publish": False,
    }
    return ApplicationFactory(**{**defaults, **kwargs})


# --- The error summary -------------------------------------------------------------------


def test_a_failed_submit_lists_every_error_with_a_link_to_its_field_and_the_title_says_error(applicant):
    application = _draft(applicant)
    weekly = QuestionFactory(
        call=application.call, kind="yes_no", label="Do you publish weekly?", required=True, position=1
    )
    formats = QuestionFactory(
        call=application.call, kind="multiple_choice", label="Formats", choices="CSV\nJSON", required=True, position=2
    )
    response = applicant.post(
        reverse("applications:edit", args=[application.pk]),
        {"data_stewarded": "Tide tables", "submit_application": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _title(html) == f"Error: Application to {application.call.title} · CohortNet"
    required = "Please answer this question before submitting."
    assert _summary(html) == [
        ("id_licence", f"The open licence(s) the data is published under: {required}"),
        ("id_sustainability", f"How the work is sustained (revenue model): {required}"),
        ("id_contribution", f"What you can contribute to the other organisations: {required}"),
        ("id_time_commitment", f"Time you can commit between the cohort&#x27;s start and end: {required}"),
        ("id_themes_0", "Which themes do you want to work on?: Choose at least one theme."),
        ("id_funding_requested", f"Funding requested (GBP): {required}"),
        (
            "id_consent_to_publish",
            "We agree to contribute to the programme&#x27;s published output: "
            "Members contribute to the published output: please agree to take part.",
        ),
        (f"id_question_{weekly.pk}_0", f"Do you publish weekly?: {required}"),
        (f"id_question_{formats.pk}_0", f"Formats: {required}"),
    ]
    # Each link's target exists; each field's message is tied to its input or group.
    for target in ("id_licence", "id_themes_0", f"id_question_{weekly.pk}_0", "id_consent_to_publish"):
        assert f'id="{target}"' in html
    assert 'aria-describedby="id_sustainability_count id_sustainability_error"' in html
    assert f'<fieldset aria-describedby="id_question_{weekly.pk}_error">' in html
    assert html.count("data-error-summary") == 1


def test_a_submit_refused_by_the_form_also_names_every_missing_answer_at_once(applicant):
    """Funding over the cap (the form's own check) and missing answers (the submission rules) in one summary."""
    application = _draft(applicant)
    response = applicant.post(
        reverse("applications:edit", args=[application.pk]),
        {"data_stewarded": "Tide tables", "licence": "ODbL", "funding_requested": "25000", "submit_application": "1"},
    )
    required = "Please answer this question before submitting."
    assert response.context["form"].errors == {
        "sustainability": [required],
        "contribution": [required],
        "time_commitment": [required],
        "themes": ["Choose at least one theme."],
        "funding_requested": ["Enter an amount of at most £20,000"],
        "consent_to_publish": ["Members contribute to the published output: please agree to take part."],
    }
    # Only a submit asks for every answer: saving a draft with the same over-cap amount names just that.
    draft = applicant.post(
        reverse("applications:edit", args=[application.pk]),
        {"data_stewarded": "Tide tables", "funding_requested": "25000", "save_draft": "1"},
    )
    assert draft.context["form"].errors == {"funding_requested": ["Enter an amount of at most £20,000"]}
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.licence == ""


def test_a_non_field_error_is_in_the_summary_without_a_link(applicant):
    application = _draft(
        applicant, call=OpenCallFactory(closes_at="2020-01-01T00:00:00Z", opens_at="2019-01-01T00:00:00Z")
    )
    response = applicant.post(reverse("applications:edit", args=[application.pk]), {"save_draft": "1"})
    items = _summary(response.content.decode())
    assert len(items) == 1
    assert items[0][0] == ""
    assert items[0][1].startswith("This call closed on 1 January 2020 at 00:00 GMT (Europe/London).")


def test_the_signup_page_has_the_summary_and_the_error_title(client):
    response = client.post(reverse("account_signup"), {"name": "", "email": "not an address"})
    html = response.content.decode()
    assert _title(html).startswith("Error: Sign")
    items = _summary(html)
    assert items[:2] == [
        ("id_name", "Full name: This field is required."),
        ("id_email", "Email: Enter a valid email address."),
    ]
    assert '<form method="post" action="/accounts/signup/" novalidate>' in html


def test_the_login_page_puts_a_wrong_password_in_the_summary(client):
    UserFactory(email="maya@example.org")
    response = client.post(reverse("account_login"), {"login": "maya@example.org", "password": "wrong"})
    html = response.content.decode()
    assert _title(html) == "Error: Sign In · CohortNet"
    assert _summary(html) == [("", "The email address and/or password you specified are not correct.")]


def test_a_page_without_errors_has_no_summary_and_no_error_title(applicant):
    application = _draft(applicant)
    html = applicant.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "There is a problem" not in html
    assert _title(html) == f"Application to {application.call.title} · CohortNet"


# --- Required and optional, character counts -------------------------------------------------


def test_optional_fields_say_so_and_nothing_has_an_asterisk(applicant):
    application = _draft(applicant)
    QuestionFactory(call=application.call, kind="short_text", label="Your website's name", required=False)
    QuestionFactory(call=application.call, kind="short_text", label="Your city", required=True)
    html = applicant.get(reverse("applications:edit", args=[application.pk])).content.decode()
    optional = ' <span class="text-body-secondary">(optional)</span></label>'
    assert f"Your website&#x27;s name{optional}" in html
    assert f"Your city{optional}" not in html
    assert html.count("(optional)") == 1
    assert "asteriskField" not in html
    assert "*</span>" not in html
    # Needed to submit, though a draft may leave it blank: aria-required, no browser-blocking "required".
    licence = re.search(r"<input [^>]*name=\"licence\"[^>]*>", html).group(0)
    assert 'aria-required="true"' in licence
    assert " required" not in licence


def test_limited_text_areas_carry_their_limit_for_the_counter_and_are_not_cut_off(applicant):
    application = _draft(applicant)
    html = applicant.get(reverse("applications:edit", args=[application.pk])).content.decode()
    textarea = re.search(r"<textarea [^>]*name=\"data_stewarded\"[^>]*>", html).group(0)
    assert 'data-maxlength="5000"' in textarea
    assert "maxlength=" not in textarea.replace("data-maxlength=", "")
    assert 'aria-describedby="id_data_stewarded_count"' in textarea
    assert (
        '<div id="id_data_stewarded_count" class="form-text character-count" '
        'data-character-count-for="id_data_stewarded">You can enter up to 5000 characters</div>'
    ) in html


# --- Money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "typed", "message"),
    [
        ("20000.00", "20000.01", "Enter an amount of at most £20,000"),
        ("20000.00", "25000", "Enter an amount of at most £20,000"),
        ("12500.50", "12500.51", "Enter an amount of at most £12,500.50"),
        ("20000.00", "-5", "Enter an amount of at least £0"),
        ("20000.00", "0", "Enter an amount of at least £0.01"),
        ("20000.00", "twelve thousand", "Enter an amount in pounds, like 12500 or 12500.50"),
        ("20000.00", "12.345", "Enter an amount in pounds, like 12500 or 12500.50"),
        ("20000.00", "NaN", "Enter an amount in pounds, like 12500 or 12500.50"),
    ],
)
def test_funding_messages_are_in_money(cap, typed, message):
    application = ApplicationFactory(call=OpenCallFactory(funding_cap=Decimal(cap)))
    form = ApplicationForm({"funding_requested": typed}, instance=application)
    assert not form.is_valid()
    assert form.errors["funding_requested"] == [message]


@pytest.mark.parametrize(("typed", "amount"), [("£12,500", "12500"), (" 12500.50 ", "12500.50"), ("20000", "20000")])
def test_amounts_are_read_as_people_write_them(typed, amount):
    application = ApplicationFactory(call=OpenCallFactory(funding_cap=Decimal("20000")))
    form = ApplicationForm({"funding_requested": typed}, instance=application)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["funding_requested"] == Decimal(amount)


def test_funding_is_a_text_input_with_a_decimal_keyboard(applicant):
    application = _draft(applicant, funding_requested=Decimal("12000.50"))
    html = applicant.get(reverse("applications:edit", args=[application.pk])).content.decode()
    field = re.search(r"<input [^>]*name=\"funding_requested\"[^>]*>", html).group(0)
    assert 'type="text"' in field
    assert 'inputmode="decimal"' in field
    assert 'value="12000.50"' in field


def test_hours_are_answered_in_hours():
    from funding.forms import TimeEntryForm
    from tests.factories import CohortFactory

    cohort = CohortFactory()
    errors = [
        TimeEntryForm({"date": "2026-10-01", "hours": hours, "activity": "Call"}, cohort=cohort).errors["hours"]
        for hours in ("0.1", "25", "two")
    ]
    assert errors == [
        ["Enter at least 0.25 hours (15 minutes)"],
        ["Enter at most 24 hours"],
        ["Enter the hours as a number, like 2 or 1.5"],
    ]


# --- Nothing typed is lost --------------------------------------------------------------------------


def test_after_a_failed_save_every_answer_is_still_on_the_page(applicant):
    application = _draft(applicant)
    choice = QuestionFactory(call=application.call, kind="single_choice", label="Size", choices="Small\nLarge")
    many = QuestionFactory(call=application.call, kind="multiple_choice", label="Formats", choices="CSV\nJSON\nXML")
    yes_no = QuestionFactory(call=application.call, kind="yes_no", label="Weekly?")
    text = QuestionFactory(call=application.call, kind="long_text", label="Anything else?")
    theme = Theme.objects.get(slug="sustainability")
    response = applicant.post(
        reverse("applications:edit", args=[application.pk]),
        {
            "data_stewarded": "Tide tables for small ports",
            "licence": "ODbL 1.0",
            "funding_requested": "£25,000",  # over the cap: the save fails
            "consent_to_publish": "on",
            "themes": [str(theme.pk)],
            choice.field_name: "Large",
            many.field_name: ["CSV", "XML"],
            yes_no.field_name: "no",
            text.field_name: "We also run a help desk.",
            "save_draft": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {"funding_requested": ["Enter an amount of at most £20,000"]}
    assert ">\nTide tables for small ports</textarea>" in html
    assert 'value="ODbL 1.0"' in html
    assert 'name="funding_requested" value="£25,000"' in html
    assert re.search(r'name="consent_to_publish"[^>]* checked', html)
    assert re.search(rf'name="themes" value="{theme.pk}"[^>]* checked', html)
    assert re.search(rf'name="{choice.field_name}" value="Large"[^>]* checked', html)
    assert re.search(rf'name="{many.field_name}" value="CSV"[^>]* checked', html)
    assert re.search(rf'name="{many.field_name}" value="XML"[^>]* checked', html)
    assert not re.search(rf'name="{many.field_name}" value="JSON"[^>]* checked', html)
    assert re.search(rf'name="{yes_no.field_name}" value="no"[^>]* checked', html)
    assert ">\nWe also run a help desk.</textarea>" in html
    application.refresh_from_db()
    assert application.data_stewarded == ""


def test_the_organisation_form_keeps_what_was_typed(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("cohorts:organisation_create"),
        {"name": "", "description": "We publish tide tables.", "access_methods": ["api", "bulk"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _summary(html)[0] == ("id_name", "Name: This field is required.")
    assert ">\nWe publish tide tables.</textarea>" in html
    chosen = re.findall(r'name="access_methods" value="(\w+)"[^>]* checked', html)
    assert chosen == [c for c in Organisation.Access.values if c in ("api", "bulk")]


def test_the_profile_keeps_the_name_typed_when_the_zone_is_refused(client):
    client.force_login(UserFactory(name="Maya"))
    response = client.post(reverse("profile"), {"name": "Maya Okafor", "time_zone": "Mars/Olympus"})
    html = response.content.decode()
    assert response.status_code == 200
    assert _title(html) == "Error: Your profile · CohortNet"
    assert 'value="Maya Okafor"' in html
    assert _summary(html)[0][0] == "id_time_zone"


def test_written_input_over_its_limit_is_kept_and_counted(client):
    participant = ParticipantFactory()
    event = EventFactory(cohort=participant.membership.cohort)
    client.force_login(participant.user)
    typed = "x" * 10001
    response = client.post(reverse("events:written_input", args=[event.pk]), {"body": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert f">\n{typed}</textarea>" in html
    assert _summary(html) == [("id_body", "Your input: Ensure this value has at most 10000 characters (it has 10001).")]
    assert 'data-maxlength="10000"' in html


# --- Raw values never shown -----------------------------------------------------------------------


def _answered(application):
    weekly = QuestionFactory(call=application.call, kind="yes_no", label="Do you publish weekly?", position=2)
    daily = QuestionFactory(call=application.call, kind="yes_no", label="Do you publish daily?", position=3)
    formats = QuestionFactory(
        call=application.call, kind="multiple_choice", label="Formats", choices="CSV\nJSON", position=1
    )
    skipped = QuestionFactory(call=application.call, kind="short_text", label="Anything else?", position=4)
    application.extra_answers = {str(weekly.pk): "yes", str(daily.pk): "no", str(formats.pk): ["CSV", "JSON"]}
    application.consent_to_publish = True
    application.time_commitment = ""
    application.save()
    return [formats, weekly, daily, skipped]


NOT_ANSWERED = '<span class="text-body-secondary">Not answered</span>'


def test_the_applicant_reads_yes_no_labels_and_not_answered(applicant):
    application = ApplicationFactory(organisation=applicant.link.organisation, status="submitted")
    _answered(application)
    html = applicant.get(reverse("applications:detail", args=[application.pk])).content.decode()
    answers = [(dt, dd.strip()) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html, re.S)]
    assert answers[-5:] == [
        ("We agree to contribute to the programme's published output", "Yes"),
        ("Formats", "CSV; JSON"),
        ("Do you publish weekly?", "Yes"),
        ("Do you publish daily?", "No"),
        ("Anything else?", NOT_ANSWERED),
    ]
    assert ("Time you can commit between the cohort's start and end", NOT_ANSWERED) in answers


def test_the_reviewer_reads_yes_no_labels_and_not_answered(client):
    user = reviewer()
    assignment = ReviewAssignmentFactory(reviewer=user, application__status="under_review")
    _answered(assignment.application)
    client.force_login(user)
    html = client.get(reverse("applications:review", args=[assignment.pk])).content.decode()
    answers = [(dt, dd.strip()) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html, re.S)]
    assert answers[-5:] == [
        ("Agrees to contribute to the programme's published output", "Yes"),
        ("Formats", "CSV; JSON"),
        ("Do you publish weekly?", "Yes"),
        ("Do you publish daily?", "No"),
        ("Anything else?", NOT_ANSWERED),
    ]
    assert ("Time they can commit between the cohort's start and end", NOT_ANSWERED) in answers


def test_the_review_form_links_its_score_groups_and_keeps_the_comments(client):
    user = reviewer()
    assignment = ReviewAssignmentFactory(reviewer=user, application__status="under_review")
    criterion = CriterionFactory(call=assignment.application.call, name="Reach")
    client.force_login(user)
    response = client.post(
        reverse("applications:review", args=[assignment.pk]),
        {f"comment_{criterion.pk}": "Wide reach among journalists.", "comment": "Strong."},
    )
    html = response.content.decode()
    assert _title(html) == f"Error: Review: {assignment.application.organisation.name} · CohortNet"
    assert _summary(html) == [
        ("id_recommendation_0", "Recommendation: This field is required."),
        (f"id_score_{criterion.pk}_0", "Reach (weight 1): This field is required."),
    ]
    assert ">\nWide reach among journalists.</textarea>" in html
    assert ">\nStrong.</textarea>" in html
    # The scores sit on one line; the inputs carry no stray class from the widget.
    assert html.count('<div class="form-check form-check-inline">') == 5
