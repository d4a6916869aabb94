"""notifications/admin.py: a held decision email previewed as sent, edited, and sent through a confirmation."""

import pytest
from django.urls import reverse

from applications.models import Application, Invitation
from applications.services import application_transition
from notifications.admin import HTML_PART_POLICY
from notifications.models import Email
from tests.factories import ApplicationFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Application.Status


def _decide(application, staff, to=S.ACCEPTED):
    application_transition(application=application, to=S.UNDER_REVIEW, by=staff)
    application_transition(application=application, to=to, by=staff)


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True, name="Sam Staff")
    client.force_login(user)
    return user


@pytest.fixture
def held(staff):
    """An accepted application whose organisation has one person, Maya Okafor: one held decision email."""
    application = ApplicationFactory(status=S.SUBMITTED)
    OrganisationPersonFactory(
        organisation=application.organisation, user=UserFactory(name="Maya Okafor", email="maya@steward.example")
    )
    _decide(application, staff)
    return Email.objects.get(kind="decision")


def _url(name, email):
    return reverse(f"admin:notifications_email_{name}", args=[email.pk])


def test_decision_email_greets_the_person_by_name_in_both_parts(held):
    assert held.status == Email.Status.HELD
    assert held.body_text.startswith("Dear Maya Okafor,\n\n")
    assert "<p>Dear Maya Okafor,</p>" in held.body_html
    assert held.batch == f"call {held_call_id(held)}: {Application.objects.get().call.title}"


def held_call_id(email):
    return Application.objects.get().call_id


@pytest.mark.parametrize(("contact_name", "greeting"), [("Ade Bello", "Dear Ade Bello,"), ("", "Dear Open Maps team,")])
def test_decision_email_never_greets_an_address(staff, contact_name, greeting):
    application = ApplicationFactory(status=S.SUBMITTED, organisation__name="Open Maps")
    person = UserFactory(name="", email="ade@maps.example")
    OrganisationPersonFactory(organisation=application.organisation, user=person)
    Invitation.objects.create(
        call=application.call,
        organisation_name="Open Maps",
        contact_name=contact_name,
        contact_email="ADE@maps.example",
    )
    _decide(application, staff, to=S.REJECTED)
    email = Email.objects.get(kind="decision")
    assert email.body_text.splitlines()[0] == greeting
    assert "ade@maps.example," not in email.body_text


def test_preview_shows_the_email_as_sent_with_the_persons_name(client, held):
    response = client.get(_url("change", held))
    assert response.status_code == 200
    page = response.content.decode()
    assert "As Maya Okafor will see it" in page
    assert "Maya Okafor &lt;maya@steward.example&gt;" in page
    assert f"<dd>{held.subject}</dd>" in page
    assert '<pre class="email-preview-text">Dear Maya Okafor,\n\nWe are delighted' in page
    assert f'src="{_url("html_part", held)}" sandbox=""' in page
    assert f'href="{_url("send", held)}">Send this</a>' in page
    assert "Send all 1 held for call " in page
    # The internals are read-only, in the collapsed Details; only the subject and text are inputs.
    form = response.context["adminform"].form
    assert sorted(form.fields) == ["body_text", "subject"]
    assert 'name="key"' not in page
    assert "collapse" in page


def test_html_part_is_served_alone_under_a_sandbox_policy(client, held):
    response = client.get(_url("html_part", held))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == HTML_PART_POLICY
    assert response["Content-Security-Policy"].endswith("; sandbox")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "<p>Dear Maya Okafor,</p>" in response.content.decode()


def test_the_admin_pages_keep_the_strict_policy(client, held):
    policy = client.get(_url("change", held))["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "sandbox" not in policy


def test_html_part_is_staff_only(client, held):
    client.force_login(UserFactory())
    response = client.get(_url("html_part", held))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_editing_a_held_email_makes_the_html_part_again(client, held):
    response = client.post(
        _url("change", held), {"subject": "Welcome to the cohort", "body_text": "Dear Maya Okafor,\n\nWelcome aboard."}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.subject == "Welcome to the cohort"
    assert held.body_text == "Dear Maya Okafor,\n\nWelcome aboard."
    assert "<p>Dear Maya Okafor,</p>\n\n<p>Welcome aboard.</p>" in held.body_html
    assert held.status == Email.Status.HELD


def test_send_this_confirms_then_sends(client, held, mailoutbox, django_capture_on_commit_callbacks):
    response = client.get(_url("send", held))
    page = response.content.decode()
    assert "This email will be sent: 1 email," in page
    assert "to Maya Okafor &lt;maya@steward.example&gt;" in page
    assert 'value="Yes, send 1 email"' in page
    assert Email.objects.get().status == Email.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("send", held), follow=True)
    assert "Sent 1 email(s)" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Email.Status.SENT
    assert [(m.to, m.subject) for m in mailoutbox] == [(["maya@steward.example"], held.subject)]
    assert mailoutbox[0].body.startswith("Dear Maya Okafor,")
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_send_all_for_the_call_states_the_exact_count_and_sends_those(
    client, staff, held, mailoutbox, django_capture_on_commit_callbacks
):
    application = Application.objects.get()
    for name in ("Ade Bello", "Kai Lund"):
        OrganisationPersonFactory(organisation=application.organisation, user=UserFactory(name=name))
    other = ApplicationFactory(call=application.call, status=S.SUBMITTED)
    OrganisationPersonFactory(organisation=other.organisation, user=UserFactory(name="Noor Haddad"))
    _decide(other, staff, to=S.REJECTED)
    elsewhere = ApplicationFactory(status=S.SUBMITTED)
    OrganisationPersonFactory(organisation=elsewhere.organisation, user=UserFactory(name="Not This Call"))
    _decide(elsewhere, staff, to=S.REJECTED)
    # Maya's organisation had one person when it was decided: one email, plus Noor's, for this call.
    assert Email.objects.filter(status=Email.Status.HELD).count() == 3

    page = client.get(_url("send_batch", held)).content.decode()
    assert f"All 2 emails held for {held.batch} will be sent: 2 emails," in page
    assert 'value="Yes, send 2 emails"' in page
    assert "Maya Okafor &lt;" in page
    assert "Noor Haddad &lt;" in page
    assert "Not This Call" not in page

    shown = [held.pk, Email.objects.get(to_email=other.organisation.person_links.get().user.email).pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("send_batch", held), {"email": shown}, follow=True)
    assert "Sent 2 email(s)" in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(Email.objects.get(pk=pk).to_email for pk in shown)
    assert Email.objects.filter(status=Email.Status.SENT).count() == 2
    assert Email.objects.filter(status=Email.Status.HELD).get().body_text.startswith("Dear Not This Call,")


def test_send_all_sends_only_what_the_confirmation_listed(client, staff, held, django_capture_on_commit_callbacks):
    application = Application.objects.get()
    later = ApplicationFactory(call=application.call, status=S.SUBMITTED)
    OrganisationPersonFactory(organisation=later.organisation, user=UserFactory(name="Late Comer"))
    _decide(later, staff, to=S.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("send_batch", held), {"email": [held.pk]})
    assert Email.objects.get(pk=held.pk).status == Email.Status.SENT
    assert Email.objects.get(to_email=later.organisation.person_links.get().user.email).status == Email.Status.HELD


def test_a_sent_email_is_refused_with_a_message(client, held, django_capture_on_commit_callbacks):
    held.status = Email.Status.QUEUED
    held.save()
    subject = held.subject
    response = client.get(_url("send", held), follow=True)
    assert "Only held emails can be sent; this one is queued." in response.content.decode()
    response = client.post(_url("send", held), follow=True)
    assert "Only held emails can be released; this one is queued." in response.content.decode()
    response = client.post(_url("change", held), {"subject": "Changed", "body_text": "Changed"})
    assert response.status_code == 200
    assert "Only held emails can be edited; this one is queued." in response.content.decode()
    held.refresh_from_db()
    assert (held.status, held.subject) == (Email.Status.QUEUED, subject)
    assert "Send this" not in client.get(_url("change", held)).content.decode()


def test_a_send_all_post_after_everything_went_says_so(client, held):
    held.status = Email.Status.CANCELLED
    held.save()
    response = client.post(_url("send_batch", held), {"email": [held.pk]}, follow=True)
    assert "No held emails were left to send." in response.content.decode()


@pytest.mark.parametrize("object_id", ["abc", "0", "-1", "99999999999999999999", "1%00", "%20"])
@pytest.mark.parametrize("view", ["html_part", "send", "send_batch"])
def test_hostile_ids_are_refused_never_a_500(client, staff, view, object_id):
    url = (
        reverse("admin:notifications_email_changelist")
        + f"{object_id}/{view.replace('_part', '-part').replace('_', '-')}/"
    )
    assert client.get(url).status_code in (302, 400, 404)
    assert client.post(url, {"email": ["x", "99999999999999999999999", ""]}).status_code in (302, 400, 404)


def test_hostile_posted_ids_send_nothing(client, held):
    response = client.post(_url("send_batch", held), {"email": ["abc", "-1", "9" * 30, ""]}, follow=True)
    assert response.status_code == 200
    assert "No held emails were left to send." in response.content.decode()
    assert Email.objects.get().status == Email.Status.HELD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_draws_the_framed_html_part_and_the_pages_pass_axe(live_server, browser):
    from tests.e2e.helpers import severe_violations
    from tests.factories import PASSWORD

    staff = UserFactory(is_staff=True, is_superuser=True, name="Sam Staff")
    application = ApplicationFactory(status=S.SUBMITTED)
    OrganisationPersonFactory(organisation=application.organisation, user=UserFactory(name="Maya Okafor"))
    _decide(application, staff)
    email = Email.objects.get(kind="decision")

    page = browser.new_page()
    page.set_default_timeout(10_000)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append((page.url, msg.text)) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}{_url('change', email)}")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="As Maya Okafor will see it").wait_for()
    frame = page.frame_locator("iframe.email-preview-html")
    assert frame.locator("p").first.inner_text() == "Dear Maya Okafor,"
    # Before axe runs (it adds styles of its own): the page itself breaks no policy. The frame's policy blocks
    # only the email's own decorative inline style.
    page.wait_for_timeout(300)
    assert [text.split(" violates")[0] for _url, text in violations] == ["Applying inline style"]
    assert "directive 'default-src 'none''" in violations[0][1]
    severe = severe_violations(page)
    page.get_by_role("link", name="Send all 1 held for").click()
    assert page.locator(".confirm-send-count").inner_text().startswith("All 1 email held for call ")
    severe += severe_violations(page)
    page.get_by_role("button", name="Yes, send 1 email").click()
    page.get_by_text("Sent 1 email(s)").wait_for()
    assert Email.objects.get().status in (Email.Status.QUEUED, Email.Status.SENT)
    # The one thing the frame's policy blocks is the email's own decorative inline style; the admin page, nothing.
    assert severe == []


def test_the_list_action_confirms_the_count_first(client, staff, held, mailoutbox, django_capture_on_commit_callbacks):
    changelist = reverse("admin:notifications_email_changelist")
    response = client.post(changelist, {"action": "release_emails", "_selected_action": [held.pk]})
    page = response.content.decode()
    assert "The selected email will be sent: 1 email," in page
    assert 'value="Yes, send 1 email"' in page
    assert Email.objects.get().status == Email.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "release_emails", "_selected_action": [held.pk], "confirmed": "yes"}, follow=True
        )
    assert "Released 1 email(s)." in response.content.decode()
    assert Email.objects.get().status == Email.Status.SENT
    assert len(mailoutbox) == 1


def test_the_list_action_refuses_a_selection_with_an_email_not_held(client, held):
    held.status = Email.Status.SENT
    held.sent_at = held.created_at
    held.save()
    response = client.post(
        reverse("admin:notifications_email_changelist"),
        {"action": "release_emails", "_selected_action": [held.pk]},
        follow=True,
    )
    assert f"{held.subject} → {held.to_email}: only held emails can be sent; this one is sent." in (
        response.content.decode()
    )
