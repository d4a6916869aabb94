import pytest
from django.urls import reverse

from cohorts.models import ColleagueInvite, OrganisationPerson, Participant
from notifications.models import Email
from tests.factories import MembershipFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client):
    link = OrganisationPersonFactory(role="lead")
    client.force_login(link.user)
    return client, link.organisation


def test_a_lead_invites_a_colleague_who_accepts_and_joins_the_cohort(lead, client):
    client, organisation = lead
    membership = MembershipFactory(organisation=organisation)
    response = client.post(
        reverse("cohorts:organisation_detail", args=[organisation.pk]), {"email": "Grace@Tide.example"}
    )
    assert response.status_code == 302
    invite = ColleagueInvite.objects.get()
    email = Email.objects.get(kind="colleague_invite")
    assert email.to_email == "Grace@Tide.example"
    assert invite.get_absolute_url() in email.body_text

    colleague = UserFactory(email="grace@tide.example")
    client.force_login(colleague)
    response = client.post(invite.get_absolute_url())
    assert response.status_code == 302
    assert OrganisationPerson.objects.get(organisation=organisation, user=colleague).role == "member"
    assert Participant.objects.filter(membership=membership, user=colleague).exists()


def test_inviting_the_same_address_twice_sends_one_email(lead):
    client, organisation = lead
    url = reverse("cohorts:organisation_detail", args=[organisation.pk])
    client.post(url, {"email": "grace@tide.example"})
    client.post(url, {"email": "GRACE@tide.example"})
    assert ColleagueInvite.objects.count() == 1
    assert Email.objects.count() == 1


def test_a_forwarded_invitation_does_not_let_someone_else_in(lead, client):
    _client, organisation = lead
    invite = ColleagueInvite.objects.create(
        organisation=organisation, email="grace@tide.example", invited_by=organisation.people.first()
    )
    client.force_login(UserFactory(email="mallory@example.org"))
    response = client.post(invite.get_absolute_url())
    assert response.status_code == 200
    assert "This invitation is for grace@tide.example" in response.content.decode()
    assert OrganisationPerson.objects.filter(organisation=organisation).count() == 1


def test_only_a_lead_can_invite_and_outsiders_get_a_404(client):
    member = OrganisationPersonFactory(role="member")
    client.force_login(member.user)
    url = reverse("cohorts:organisation_detail", args=[member.organisation.pk])
    assert client.post(url, {"email": "x@example.org"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert ColleagueInvite.objects.count() == 0


@pytest.mark.parametrize(
    "value", ["", "not-an-email", "a@b", "x" * 250 + "@example.org", "<script>@x.org", "a\r\nb@x.org"]
)
def test_bad_invite_addresses_are_field_errors(lead, value):
    client, organisation = lead
    response = client.post(reverse("cohorts:organisation_detail", args=[organisation.pk]), {"email": value})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert ColleagueInvite.objects.count() == 0


def test_a_lead_removes_a_colleague_but_not_the_last_lead(lead):
    client, organisation = lead
    colleague = OrganisationPersonFactory(organisation=organisation, role="member").user
    membership = MembershipFactory(organisation=organisation)
    Participant.objects.create(membership=membership, user=colleague)
    client.post(reverse("cohorts:colleague_remove", args=[organisation.pk, colleague.pk]))
    assert not OrganisationPerson.objects.filter(user=colleague).exists()
    assert not Participant.objects.filter(user=colleague).exists()

    own = organisation.person_links.get().user
    response = client.post(reverse("cohorts:colleague_remove", args=[organisation.pk, own.pk]), follow=True)
    assert "An organisation needs a lead contact" in response.content.decode()
    assert organisation.person_links.count() == 1
