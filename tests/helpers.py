"""Helpers shared by the tests: the race runner for concurrency tests and the one ``World`` of objects."""

import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from applications.models import Invitation
from cohorts.models import ColleagueInvite
from cohorts.services import message_post, resource_add
from events.models import SupportSlot
from events.services import answer_link
from funding import services as funding_services
from notifications.reminders import opt_out_link
from outcomes.models import Publication, PublicationVersion
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    CriterionFactory,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
)


def project_app_labels() -> list[str]:
    """The labels of the project's own apps (those whose code lives in this repository), in settings order.

    Lists that mean "every app of ours" are computed, so an app added later is covered without remembering.
    """
    from django.apps import apps
    from django.conf import settings

    return [config.label for config in apps.get_app_configs() if _is_ours(Path(config.path), Path(settings.BASE_DIR))]


def _is_ours(path: Path, root: Path) -> bool:
    # A virtualenv inside the checkout (.venv) holds the libraries' apps: not ours.
    return path.is_relative_to(root) and "site-packages" not in path.relative_to(root).parts


def race(items, action) -> list[Exception]:
    """Run ``action(item)`` for every item in its own thread, all released at once. Returns the errors."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    errors: list[Exception] = []

    def run(item):
        try:
            barrier.wait(timeout=10)
            action(item)
        except Exception as exc:  # noqa: BLE001 -- returned to the caller, who asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


class World:
    """Organisation A in cohort X with one object of every kind, and a person for every role.

    Organisation A's lead is a participant of cohort X (``participant``) and created ``application``
    on ``call`` (``application_status`` says how far it went); ``other_call`` in the same cohort is
    still open to A. Files are written, so set ``MEDIA_ROOT`` to a temporary folder first.
    """

    def __init__(self, *, application_status: str = "under_review"):
        self.call = OpenCallFactory()
        self.cohort_x = self.call.cohort
        self.other_call = OpenCallFactory(cohort=self.cohort_x)
        CriterionFactory(call=self.call)
        lead_a = OrganisationPersonFactory(role="lead")
        self.org_a = lead_a.organisation
        self.colleague = OrganisationPersonFactory(organisation=self.org_a, role="member").user
        self.application = ApplicationFactory(
            call=self.call, organisation=self.org_a, created_by=lead_a.user, status=application_status
        )
        membership_x = MembershipFactory(cohort=self.cohort_x, organisation=self.org_a)
        self.participant = ParticipantFactory(membership=membership_x, user=lead_a.user)
        ParticipantFactory(membership=membership_x, user=self.colleague)
        self.removable = OrganisationPersonFactory(organisation=self.org_a, role="member").user
        self.assignment = ReviewAssignmentFactory(application=self.application)
        finance = UserFactory(is_staff=True)
        finance.groups.add(Group.objects.get(name="Finance"))
        self.users = {
            "anonymous": None,
            "applicant_a": self.colleague,
            "applicant_b": OrganisationPersonFactory(role="lead").user,
            "participant_x": self.participant.user,
            "participant_y": ParticipantFactory().user,
            "reviewer": self.assignment.reviewer,
            "finance": finance,
            "staff": UserFactory(is_staff=True),
        }
        self.event = EventFactory(cohort=self.cohort_x)
        self.thread = message_post(cohort=self.cohort_x, author=self.users["staff"], subject="Hi", body="Hello")
        self.resource = resource_add(
            cohort=self.cohort_x,
            user=self.participant.user,
            title="Guide",
            upload=SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide"),
        )
        self.award = funding_services.award_update(
            award=AwardFactory(membership=membership_x),
            by=None,
            agreement_file=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 agreement"),
        )
        self.instalment = funding_services.instalment_schedule(
            award=self.award,
            amount=Decimal("1000.00"),
            due_on=date(2027, 1, 31),
            by=None,
            invoice_file=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice"),
        )
        self.invitation = Invitation.objects.create(call=self.call, organisation_name="New", contact_email="n@x.org")
        self.colleague_invite = ColleagueInvite.objects.create(
            organisation=self.org_a, email="c@x.org", invited_by=lead_a.user
        )
        self.slot = SupportSlot.objects.create(
            cohort=self.cohort_x,
            host=self.users["staff"],
            starts_at=timezone.now() + timedelta(days=3),
            ends_at=timezone.now() + timedelta(days=3, hours=1),
        )
        self.publication = Publication.objects.create(cohort=self.cohort_x, title="Output", slug="output")
        PublicationVersion.objects.create(
            publication=self.publication, number=1, title="Output", licence="CC-BY-4.0", published_at=timezone.now()
        )
        self.answer_path = answer_link(event=self.event, user=self.participant.user, answer="not_going").split(
            "127.0.0.1:8000"
        )[1]
        self.opt_out_path = opt_out_link(self.participant.user, "event_going").split("127.0.0.1:8000")[1]
