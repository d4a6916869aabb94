"""Reminders about applications: unfinished drafts before a call closes, unsubmitted reviews."""

from django.db.models import Prefetch

from applications.models import Application, ReviewAssignment
from cohorts.models import OrganisationPerson
from notifications.reminders import Due, Source, register
from notifications.services import render_email
from toolbox.timezones import in_zone


def _drafts(start, end):
    drafts = (
        Application.objects.filter(status=Application.Status.DRAFT)
        .deadline_between(start, end)
        .select_related("call", "organisation")
        # Everyone who acts for each organisation, in one more query rather than one per draft.
        .prefetch_related(
            Prefetch("organisation__person_links", queryset=OrganisationPerson.objects.select_related("user"))
        )
    )
    for application in drafts:
        moment = application.deadline_at
        for link in application.organisation.person_links.all():
            user = link.user

            def render(extra, application=application, moment=moment, user=user):
                return render_email(
                    "applications/email/reminder_draft",
                    {"application": application, "deadline": in_zone(moment, user.time_zone), **extra},
                )

            yield Due(
                obj_key=f"application-{application.pk}",
                moment=moment,
                user=user,
                subject=f"Reminder: your application to {application.call.title} is not submitted yet",
                render=render,
            )


def _reviews(start, end):
    assignments = ReviewAssignment.objects.filter(
        submitted_at__isnull=True,
        conflict_declared_at__isnull=True,
        application__call__review_deadline__gte=start,
        application__call__review_deadline__lte=end,
    ).select_related("reviewer", "application__call", "application__organisation")
    for assignment in assignments:
        moment = assignment.application.call.review_deadline

        def render(extra, assignment=assignment, moment=moment):
            return render_email(
                "applications/email/reminder_review",
                {"assignment": assignment, "deadline": in_zone(moment, assignment.reviewer.time_zone), **extra},
            )

        yield Due(
            obj_key=f"review-{assignment.pk}",
            moment=moment,
            user=assignment.reviewer,
            subject=f"Reminder: your review of {assignment.application.organisation.name}",
            render=render,
        )


def register_sources() -> None:
    register(Source("call_draft", "Unfinished applications before a call closes", _drafts, passed="the call closed"))
    register(
        Source(
            "review_pending",
            "Reviews to finish before the review deadline",
            _reviews,
            passed="the review deadline passed",
        )
    )
