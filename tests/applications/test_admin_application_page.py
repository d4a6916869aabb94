"""applications/admin.py: the staff application page links to its neighbours, and its reviewer dropdown offers
only reviewers without a conflict."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application
from cohorts.models import Membership
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    OrganisationPersonFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db
S = Application.Status


def _neighbours(client, application) -> list[tuple[str, str]]:
    page = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    block = re.search(r'<div class="readonly">(.*?)</div>', page[page.index("field-neighbours") :], re.S).group(1)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


def test_an_undecided_application_links_to_its_organisation_call_and_cohort(client, staff):
    application = ApplicationFactory(
        status=S.UNDER_REVIEW, organisation__name="Open Rivers", call__title="Stewards 2027", call__cohort__name="C7"
    )
    call, organisation = application.call, application.organisation
    assert _neighbours(client, application) == [
        (f"/admin/cohorts/organisation/{organisation.pk}/change/", "Organisation: Open Rivers"),
        (f"/admin/applications/opencall/{call.pk}/change/", "Call: Stewards 2027"),
        (f"/admin/cohorts/cohort/{call.cohort_id}/change/", "Cohort: C7"),
    ]


def test_an_accepted_application_links_to_its_membership_and_add_award_then_the_award(client, staff):
    application = ApplicationFactory(status=S.UNDER_REVIEW, organisation__name="Open Rivers", call__cohort__name="C7")
    services.application_transition(application=application, to=S.ACCEPTED, by=staff)
    membership = Membership.objects.get(organisation=application.organisation, cohort=application.call.cohort)
    cohort = application.call.cohort
    head = [
        (f"/admin/cohorts/organisation/{application.organisation_id}/change/", "Organisation: Open Rivers"),
        (f"/admin/applications/opencall/{application.call_id}/change/", f"Call: {application.call.title}"),
        (f"/admin/cohorts/membership/{membership.pk}/change/", "Membership"),
    ]
    tail = [
        (f"/admin/cohorts/cohort/{cohort.pk}/change/", "Cohort: C7"),
        (f"/funding/cohorts/{cohort.slug}/", "Budget dashboard"),
    ]
    assert _neighbours(client, application) == [
        *head,
        (f"/admin/funding/award/add/?membership={membership.pk}", "Add award"),
        *tail,
    ]
    award = AwardFactory(membership=membership, amount=Decimal("12000.00"))
    assert _neighbours(client, application) == [
        *head,
        (f"/admin/funding/award/{award.pk}/change/", "Award of £12,000.00"),
        *tail,
    ]


def test_the_reviewer_dropdown_leaves_out_reviewers_with_a_conflict(client, staff):
    link = OrganisationPersonFactory(user__email="lead@openrivers.example")
    application = ApplicationFactory(status=S.SUBMITTED, organisation=link.organisation)
    free = reviewer(email="free@reviewers.example", name="Free Reviewer")
    same_domain = reviewer(email="colleague@openrivers.example", name="Same Domain")
    link.user.groups.add(free.groups.get())  # acts for the organisation, and is a reviewer
    response = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    offered = set(response.context["inline_admin_formsets"][0].formset.empty_form.fields["reviewer"].queryset)
    assert offered == {free}
    page = response.content.decode()
    assert "Free Reviewer" in page
    assert "Same Domain" not in page
    assert same_domain.email not in page


def test_the_date_and_time_boxes_and_the_remove_boxes_are_named_for_screen_readers(client, staff):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    services.review_assign(application=application, reviewer=reviewer(name="Grace Hopper"), by=staff)
    page = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    date_box = re.search(r'<input [^>]*name="deadline_extended_until_0"[^>]*>', page).group(0)
    assert 'aria-label="Individual extension until: date"' in date_box
    assert 'aria-label="Individual extension until: time"' in page
    assert 'aria-label="Remove Grace Hopper"' in page
    call_page = client.get(reverse("admin:applications_opencall_change", args=[application.call_id])).content.decode()
    assert 'aria-label="Opens at: date"' in call_page


@pytest.mark.parametrize("url", ["admin:index", "admin:applications_application_changelist"])
def test_every_admin_page_loads_the_shared_admin_stylesheet(client, staff, url):
    page = client.get(reverse(url)).content.decode()
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in page


def test_the_applications_list_loads_the_pipeline_stylesheet(client, staff):
    page = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/admin_pipeline.css">' in page
    assert "style=" not in page.split('<table id="pipeline">')[1].split("</table>")[0]
