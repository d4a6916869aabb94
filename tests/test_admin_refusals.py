"""The admin saves through the services, and shows their refusals on the form with nothing written.

Each test posts the real admin form as a browser would: the fields the page
rendered, read back from its HTML, with one value changed.
"""

import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ReviewAssignment
from cohorts.models import OrganisationPerson, Participant
from events.models import RSVP
from funding.models import Award, FundingChange, Instalment, TimeEntry
from notifications.models import Email
from tests.events.helpers import _started
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    EventFactory,
    InstalmentFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    UserFactory,
    reviewer,
)
from tests.helpers import project_app_labels, race


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the form with ``form_id``."""

    SKIPPED = {"submit", "button", "image", "reset", "file"}

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in self.SKIPPED:
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.pairs.append((name, attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.pairs.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.pairs.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def admin_form_data(response) -> dict:
    """What the admin page's add/change form posts back unchanged (inline templates left out)."""
    parser = _FormFields(f"{response.context['opts'].model_name}_form")
    parser.feed(response.content.decode())
    data: dict = {}
    for name, value in parser.pairs:
        if "__prefix__" in name:
            continue
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data


def inline_index(data: dict, prefix: str, pk: int) -> int:
    """The position of the inline row showing object ``pk``."""
    return next(
        int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk)
    )


def refused(response) -> list[str]:
    """The errors on a re-rendered admin form: ``field: message``, or the message alone when above the form."""
    assert response.status_code == 200
    form = response.context["adminform"].form
    return [
        f"{field}: {error}" if field != "__all__" else error
        for field, errors in form.errors.items()
        for error in errors
    ]


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- Awards and instalments ------------------------------------------------------------------


@pytest.mark.django_db
def test_cutting_an_award_below_what_is_approved_or_paid_is_refused_on_the_form(staff_client):
    award = AwardFactory(amount=Decimal("10000.00"))
    Award.objects.filter(pk=award.pk).update(committed=Decimal("4000.00"))
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(staff_client.get(url))
    data["amount"] = "3000.00"
    response = staff_client.post(url, data)
    assert refused(response) == ["amount: £4,000.00 is already approved or paid; the award cannot be less."]
    assert "£4,000.00 is already approved or paid; the award cannot be less." in response.content.decode()
    assert response.context["adminform"].form["amount"].value() == "3000.00"  # what was typed is kept
    award.refresh_from_db()
    assert award.amount == Decimal("10000.00")
    assert not FundingChange.objects.exists()


@pytest.mark.django_db
def test_an_award_above_the_calls_own_cap_is_refused_on_the_form(staff_client):
    call = OpenCallFactory(funding_cap=Decimal("10000.00"))
    membership = MembershipFactory(cohort=call.cohort)
    url = reverse("admin:funding_award_add")
    data = admin_form_data(staff_client.get(url))
    data.update(membership=membership.pk, amount="15000.00")
    response = staff_client.post(url, data)
    assert refused(response) == ["amount: This cohort's open call funds at most £10,000.00 per organisation."]
    assert not Award.objects.exists()
    assert not FundingChange.objects.exists()


@pytest.mark.django_db
def test_raising_an_award_above_the_calls_own_cap_is_refused_on_the_form(staff_client):
    call = OpenCallFactory(funding_cap=Decimal("10000.00"))
    award = AwardFactory(membership__cohort=call.cohort, amount=Decimal("8000.00"))
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(staff_client.get(url))
    data["amount"] = "12000.00"
    response = staff_client.post(url, data)
    assert refused(response) == ["amount: This cohort's open call funds at most £10,000.00 per organisation."]
    award.refresh_from_db()
    assert award.amount == Decimal("8000.00")


@pytest.mark.django_db
def test_a_second_award_for_one_organisation_is_refused_in_the_services_words(staff_client):
    existing = AwardFactory(amount=Decimal("5000.00"))
    membership = existing.membership
    url = reverse("admin:funding_award_add")
    data = admin_form_data(staff_client.get(url))
    data.update(membership=membership.pk, amount="7000.00")
    response = staff_client.post(url, data)
    assert refused(response) == [f"{membership.organisation} already has an award for {membership.cohort}."]
    assert list(Award.objects.values_list("amount", flat=True)) == [Decimal("5000.00")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_an_award_for_one_organisation_at_once_get_one_award_and_one_refusal(staff):
    url = reverse("admin:funding_award_add")
    for round_ in range(5):
        membership = MembershipFactory()
        clients = []
        for _ in range(2):
            client = Client()
            client.force_login(staff)
            clients.append(client)
        data = admin_form_data(clients[0].get(url))
        data.update(membership=membership.pk, amount="5000.00", notes=f"round {round_}")
        responses = []
        errors = race(clients, lambda client, data=data, responses=responses: responses.append(client.post(url, data)))
        assert errors == []
        assert sorted(r.status_code for r in responses) == [200, 302]
        (refusal,) = [r for r in responses if r.status_code == 200]
        # award_create locks the membership before its check: the second waits for the first, then is
        # refused in the service's own words, never the model's unique message.
        assert refused(refusal) == [f"{membership.organisation} already has an award for {membership.cohort}."]
        assert Award.objects.filter(membership=membership).count() == 1
        assert FundingChange.objects.filter(award__membership=membership).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_later_of_two_racing_award_adds_is_refused_in_the_services_words_after_the_first_commits(
    staff, monkeypatch
):
    """The interleaving that once showed the model's unique message, staged: both adds pass the duplicate
    check, the first commits, and only then does the second validate its award."""
    from funding import services

    checked = threading.Semaphore(0)
    arrivals = []
    check_amount = services._check_amount

    def staged_check_amount(membership, amount):
        arrivals.append(threading.get_ident())
        if len(arrivals) == 1:
            # The first waits (briefly) for the second to pass the duplicate check too, then goes on to commit.
            checked.acquire(timeout=1)
        else:
            checked.release()
            time.sleep(0.5)  # the first commits meanwhile
        check_amount(membership, amount)

    monkeypatch.setattr(services, "_check_amount", staged_check_amount)
    membership = MembershipFactory()
    url = reverse("admin:funding_award_add")
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(staff)
        clients.append(client)
    data = admin_form_data(clients[0].get(url))
    data.update(membership=membership.pk, amount="5000.00")
    responses = []
    assert race(clients, lambda client: responses.append(client.post(url, data))) == []
    assert sorted(r.status_code for r in responses) == [200, 302]
    (refusal,) = [r for r in responses if r.status_code == 200]
    assert refused(refusal) == [f"{membership.organisation} already has an award for {membership.cohort}."]
    assert Award.objects.filter(membership=membership).count() == 1


@pytest.mark.django_db
def test_scheduling_an_instalment_beyond_the_award_is_refused_on_the_form(staff_client):
    instalment = InstalmentFactory(award__amount=Decimal("10000.00"), amount=Decimal("8000.00"))
    url = reverse("admin:funding_instalment_add")
    data = admin_form_data(staff_client.get(url))
    data.update(award=instalment.award_id, amount="3000.00", due_on="2027-02-28")
    response = staff_client.post(url, data)
    (error,) = refused(response)
    assert error.startswith("amount: ")
    assert "£2,000.00 remains" in error
    assert list(Instalment.objects.values_list("pk", flat=True)) == [instalment.pk]


# --- Applications -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reviewer_refused_by_the_service_is_shown_on_the_form_and_nothing_is_saved(staff_client):
    application = ApplicationFactory(status=Application.Status.DRAFT)
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = admin_form_data(staff_client.get(url))
    data.update({"assignments-TOTAL_FORMS": "1", "assignments-0-reviewer": reviewer().pk})
    data["deadline_extended_until_0"], data["deadline_extended_until_1"] = "2027-01-15", "12:00"
    response = staff_client.post(url, data)
    assert refused(response) == ["Only submitted applications can be reviewed."]
    assert not ReviewAssignment.objects.exists()
    application.refresh_from_db()
    assert application.deadline_extended_until is None  # the change form's other field is not half-saved


# --- Organisation people ----------------------------------------------------------------------


@pytest.fixture
def organisation_with_lead():
    organisation = OrganisationFactory()
    lead = OrganisationPersonFactory(organisation=organisation, role=OrganisationPerson.Role.LEAD)
    colleague = OrganisationPersonFactory(organisation=organisation, role=OrganisationPerson.Role.MEMBER)
    return organisation, lead, colleague


@pytest.mark.django_db
def test_the_people_inline_cannot_delete_the_last_lead_contact(staff_client, organisation_with_lead):
    organisation, lead, _colleague = organisation_with_lead
    url = reverse("admin:cohorts_organisation_change", args=[organisation.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"person_links-{inline_index(data, 'person_links', lead.pk)}-DELETE"] = "on"
    response = staff_client.post(url, data)
    assert refused(response) == ["An organisation needs a lead contact: make someone else lead first."]
    assert OrganisationPerson.objects.filter(pk=lead.pk, role=OrganisationPerson.Role.LEAD).exists()


@pytest.mark.django_db
def test_the_people_inline_cannot_make_the_last_lead_a_colleague(staff_client, organisation_with_lead):
    organisation, lead, _colleague = organisation_with_lead
    url = reverse("admin:cohorts_organisation_change", args=[organisation.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"person_links-{inline_index(data, 'person_links', lead.pk)}-role"] = OrganisationPerson.Role.MEMBER
    response = staff_client.post(url, data)
    assert refused(response) == ["An organisation needs a lead contact: make someone else lead first."]
    lead.refresh_from_db()
    assert lead.role == OrganisationPerson.Role.LEAD


@pytest.mark.django_db
def test_the_people_inline_hands_the_lead_over_and_removes_the_old_lead_through_the_service(
    staff_client, organisation_with_lead
):
    organisation, lead, colleague = organisation_with_lead
    membership = MembershipFactory(organisation=organisation)
    ParticipantFactory(membership=membership, user=lead.user)
    url = reverse("admin:cohorts_organisation_change", args=[organisation.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"person_links-{inline_index(data, 'person_links', colleague.pk)}-role"] = OrganisationPerson.Role.LEAD
    data[f"person_links-{inline_index(data, 'person_links', lead.pk)}-DELETE"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert list(OrganisationPerson.objects.values_list("user", "role")) == [
        (colleague.user_id, OrganisationPerson.Role.LEAD)
    ]
    # colleague_remove also takes the removed person out of the organisation's cohorts.
    assert not Participant.objects.filter(user=lead.user).exists()


# --- Events -----------------------------------------------------------------------------------


def _rsvp(event, status, minutes_waiting=0, **kwargs):
    waiting_since = timezone.now() - timedelta(minutes=minutes_waiting) if status == RSVP.Status.WAITLISTED else None
    return RSVP.objects.create(event=event, user=UserFactory(), status=status, waiting_since=waiting_since, **kwargs)


@pytest.mark.django_db
def test_raising_an_events_capacity_in_the_admin_promotes_the_waiting_list_in_order(staff_client):
    event = EventFactory(capacity=1)
    _rsvp(event, RSVP.Status.GOING)
    third = _rsvp(event, RSVP.Status.WAITLISTED, minutes_waiting=10)
    first = _rsvp(event, RSVP.Status.WAITLISTED, minutes_waiting=30)
    second = _rsvp(event, RSVP.Status.WAITLISTED, minutes_waiting=20)
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data["capacity"] = "3"
    response = staff_client.post(url, data, follow=True)
    assert response.status_code == 200
    statuses = dict(RSVP.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: RSVP.Status.GOING, second.pk: RSVP.Status.GOING, third.pk: RSVP.Status.WAITLISTED}
    assert sorted(Email.objects.filter(kind="rsvp_promoted").values_list("to_email", flat=True)) == sorted(
        [first.user.email, second.user.email]
    )
    names = f"{first.user.get_full_name()}, {second.user.get_full_name()}"
    assert f"Promoted from the waiting list and emailed: {names}." in [str(m) for m in response.context["messages"]]
    event.refresh_from_db()
    assert (event.capacity, event.sequence) == (3, 0)  # capacity is not a change to announce


@pytest.mark.django_db
def test_the_event_pages_rsvp_inline_records_attendance_as_time_like_the_rsvp_admin(staff_client):
    event = EventFactory(capacity=None)
    membership = MembershipFactory(cohort=event.cohort)
    rsvp = _rsvp(event, RSVP.Status.GOING, membership=membership)
    _started(event)  # attendance is marked once the event has started
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(staff_client.get(url))
    data[f"rsvps-{inline_index(data, 'rsvps', rsvp.pk)}-attendance"] = RSVP.Attendance.ATTENDED
    response = staff_client.post(url, data)
    assert response.status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.attendance == RSVP.Attendance.ATTENDED
    entry = TimeEntry.objects.get(rsvp=rsvp)
    assert (entry.membership_id, entry.user_id, entry.hours, entry.event_id) == (
        membership.pk,
        rsvp.user_id,
        Decimal("1.50"),
        event.pk,
    )
    # Clearing it in the inline removes the time again, as the RSVP admin's action does.
    data[f"rsvps-{inline_index(data, 'rsvps', rsvp.pk)}-attendance"] = ""
    assert staff_client.post(url, data).status_code == 302
    assert not TimeEntry.objects.filter(rsvp=rsvp).exists()


# --- Every admin ------------------------------------------------------------------------------


def test_every_project_admin_shows_refusals_through_the_one_mixin():
    from django.contrib import admin

    from toolbox.admin_services import ServiceAdminMixin

    ours = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in project_app_labels()
    }
    assert len(ours) >= 20
    assert [
        model.__name__ for model, model_admin in ours.items() if not isinstance(model_admin, ServiceAdminMixin)
    ] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:applications_opencall_change", lambda: OpenCallFactory()),
        ("admin:applications_application_change", lambda: ApplicationFactory()),
        ("admin:events_event_change", lambda: EventFactory()),
        ("admin:funding_award_change", lambda: AwardFactory()),
        ("admin:funding_instalment_change", lambda: InstalmentFactory()),
        ("admin:cohorts_organisation_change", lambda: OrganisationPersonFactory().organisation),
        ("admin:cohorts_membership_change", lambda: MembershipFactory()),
        ("admin:users_user_change", lambda: UserFactory()),
    ],
)
def test_each_admin_change_form_posted_back_unchanged_saves_and_changes_nothing(staff_client, url_name, make):
    obj = make()

    def values():
        found = {}
        for field in obj._meta.concrete_fields:
            value = getattr(obj, field.attname)
            # The admin's time fields hold whole seconds.
            found[field.attname] = value.replace(microsecond=0) if isinstance(value, datetime) else value
        found.pop("updated_at", None)
        return found

    before = values()
    url = reverse(url_name, args=[obj.pk])
    response = staff_client.post(url, admin_form_data(staff_client.get(url)))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert values() == before
