"""The directory's cached list of members (issue #20): never a stale answer after a write.

The list is cached per cohort and page under ``Cohort.content_version``. Each test renders the
directory (so the fragment is cached), writes through a service or the admin's form, and reads
the page back expecting the new value.
"""

import pytest
from django.test import Client
from django.urls import reverse

from cohorts import services
from cohorts.models import Cohort, Membership, Theme
from privacy import services as privacy_services
from tests.admin_forms import admin_save as _admin_save
from tests.factories import MembershipFactory, OrganisationFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    participant = ParticipantFactory(membership__organisation__name="Aardvark Data")
    client.force_login(participant.user)
    client.participant = participant
    client.cohort = participant.membership.cohort
    return client


def _directory(client, cohort) -> str:
    response = client.get(reverse("cohorts:directory", args=[cohort.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _members(page: str) -> str:
    return page.split('<h2 class="visually-hidden">Members</h2>')[1].split("</ul>\n")[0]


@pytest.fixture
def staff_client():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    return staff


def test_a_second_visit_reads_the_list_from_the_cache(member, django_assert_num_queries):
    for _ in range(3):
        ParticipantFactory(membership=MembershipFactory(cohort=member.cohort), show_contact_details=True)
    first = _members(_directory(member, member.cohort))
    # Session, user, the cohort with the viewer's membership, the count for the pager, the navbar's reviewer check:
    # the members, their themes and their people are not asked for again.
    with django_assert_num_queries(5):
        again = _members(_directory(member, member.cohort))
    assert again == first
    assert first.count('class="cn-card org-card') == 4


def test_a_member_added_by_the_service_appears(member):
    assert "Zebra Open Maps" not in _directory(member, member.cohort)
    services.membership_add(cohort=member.cohort, organisation=OrganisationFactory(name="Zebra Open Maps"))
    assert "Zebra Open Maps" in _directory(member, member.cohort)


def test_showing_contact_details_through_the_settings_service_shows_them(member):
    other = ParticipantFactory(membership=MembershipFactory(cohort=member.cohort), show_contact_details=False)
    assert other.user.email not in _directory(member, member.cohort)
    services.participant_preferences_set(
        participant=other, user=other.user, delivery=other.delivery, show_contact_details=True
    )
    assert other.user.email in _directory(member, member.cohort)


def test_withdrawing_directory_consent_hides_the_address_at_once(member):
    # privacy's consent service switches every participation of the person in one bulk update.
    other = ParticipantFactory(membership=MembershipFactory(cohort=member.cohort), show_contact_details=True)
    assert other.user.email in _directory(member, member.cohort)
    privacy_services.consent_set(user=other.user, purpose="directory", given=False, source="profile")
    assert other.user.email not in _directory(member, member.cohort)


def test_a_colleague_removed_by_the_service_leaves_the_list(member):
    membership = MembershipFactory(cohort=member.cohort)
    lead = ParticipantFactory(membership=membership, show_contact_details=True, role="lead")
    other = ParticipantFactory(membership=membership, show_contact_details=True)
    from cohorts.models import OrganisationPerson

    OrganisationPerson.objects.create(organisation=membership.organisation, user=lead.user, role="lead")
    OrganisationPerson.objects.create(organisation=membership.organisation, user=other.user, role="member")
    assert other.user.email in _directory(member, member.cohort)
    services.colleague_remove(organisation=membership.organisation, user_to_remove=other.user, by=lead.user)
    assert other.user.email not in _directory(member, member.cohort)


def test_a_renamed_person_is_named_anew_after_saving_their_profile(member):
    other = ParticipantFactory(membership=MembershipFactory(cohort=member.cohort), show_contact_details=True)
    assert "Rosalind Okafor" not in _directory(member, member.cohort)
    them = Client()
    them.force_login(other.user)
    saved = them.post(reverse("profile"), {"name": "Rosalind Okafor", "time_zone": other.user.time_zone})
    assert saved.status_code == 302
    assert "Rosalind Okafor" in _directory(member, member.cohort)


def test_an_organisation_renamed_in_the_admin_is_renamed_in_the_list(member, staff_client):
    organisation = member.participant.membership.organisation
    assert "Aardvark Data" in _directory(member, member.cohort)
    _admin_save(
        staff_client, reverse("admin:cohorts_organisation_change", args=[organisation.pk]), name="Aardvark Open Data"
    )
    page = _directory(member, member.cohort)
    assert "Aardvark Open Data" in page


def test_themes_set_in_the_membership_admin_show_as_badges(member, staff_client):
    membership = member.participant.membership
    theme = Theme.objects.get(slug="sustainability")
    assert theme.name not in _directory(member, member.cohort)
    _admin_save(staff_client, reverse("admin:cohorts_membership_change", args=[membership.pk]), themes=[str(theme.pk)])
    assert list(Membership.objects.get(pk=membership.pk).themes.all()) == [theme]
    assert theme.name in _directory(member, member.cohort)


def test_contact_details_switched_in_the_participant_admin_show(member, staff_client):
    other = ParticipantFactory(membership=MembershipFactory(cohort=member.cohort), show_contact_details=False)
    assert other.user.email not in _directory(member, member.cohort)
    _admin_save(staff_client, reverse("admin:cohorts_participant_change", args=[other.pk]), show_contact_details="on")
    assert other.user.email in _directory(member, member.cohort)


def test_a_theme_renamed_in_the_admin_is_renamed_on_the_badges(member, staff_client):
    membership = member.participant.membership
    theme = Theme.objects.get(slug="sustainability")
    membership.themes.add(theme)
    assert theme.name in _directory(member, member.cohort)
    _admin_save(staff_client, reverse("admin:cohorts_theme_change", args=[theme.pk]), name="Revenue and sustainability")
    assert "Revenue and sustainability" in _directory(member, member.cohort)


def test_the_version_moves_in_the_transaction_of_the_write(member):
    cohort = member.cohort
    before = Cohort.objects.get(pk=cohort.pk).content_version
    services.membership_add(cohort=cohort, organisation=OrganisationFactory())
    assert Cohort.objects.get(pk=cohort.pk).content_version > before


def test_a_sign_in_does_not_age_the_list(member):
    # Every sign-in saves last_login; that is not shown, so the cached list stays.
    cohort = member.cohort
    before = Cohort.objects.get(pk=cohort.pk).content_version
    user = member.participant.user
    user.save(update_fields=["last_login"])
    assert Cohort.objects.get(pk=cohort.pk).content_version == before
