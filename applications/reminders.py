"""Reminders about applications: unfinished drafts before their stage closes, shortlisted organisations
that have not started the full application, interviews not booked, unsubmitted reviews."""

from django.db.models import Prefetch

from applications.models import Application, InterviewSlot, ReviewAssignment
from applications.workflow import WITHDRAWABLE
from cohorts.models import OrganisationPerson
from notifications.reminders import Due, Source, register
from notifications.services import render_email
from toolbox.timezones import in_zone


def _drafts(start, end):
    # Each stage's own deadline (expressions of interest, then the full application); a shortlisted
    # organisation that has not begun the full form hears from call_full_not_started instead.
    drafts = (
        Application.objects.filter(status=Application.Status.DRAFT)
        .exclude(shortlisted_at__isnull=False, full_started_at__isnull=True)
        .deadline_between(start, end)
    )
    for application in _people(drafts):
        title = application.call.title
        yield from _to_each_person(
            application,
            moment=application.deadline_at,
            template="applications/email/reminder_draft",
            key=f"application-{application.pk}",
            subject=(
                f"Reminder: your expression of interest in {title} is not submitted yet"
                if application.is_expression
                else f"Reminder: your application to {title} is not submitted yet"
            ),
        )


def _people(queryset):
    """Everyone who acts for each organisation, in one more query rather than one per application."""
    return queryset.select_related("call", "organisation").prefetch_related(
        Prefetch("organisation__person_links", queryset=OrganisationPerson.objects.select_related("user"))
    )


def _to_each_person(application, *, moment, template: str, key: str, subject: str):
    """One reminder about ``application`` to each person who acts for its organisation, its deadline in their zone."""
    for link in application.organisation.person_links.all():
        user = link.user

        def render(extra, user=user):
            return render_email(
                template, {"application": application, "deadline": in_zone(moment, user.time_zone), **extra}
            )

        yield Due(obj_key=key, moment=moment, user=user, subject=subject, render=render)


def _full_not_started(start, end):
    shortlisted = Application.objects.filter(
        status=Application.Status.DRAFT, shortlisted_at__isnull=False, full_started_at__isnull=True
    ).deadline_between(start, end)
    for application in _people(shortlisted):
        yield from _to_each_person(
            application,
            moment=application.deadline_at,
            template="applications/email/reminder_full_not_started",
            key=f"application-{application.pk}",
            subject=f"Reminder: start your full application to {application.call.title}",
        )


def _interviews_unbooked(start, end):
    waiting = (
        Application.objects.live()
        .filter(
            shortlisted_at__isnull=False,
            # Booking opens once the full application is submitted (can_book_interview).
            status__in=[s for s in WITHDRAWABLE if s not in (Application.Status.WITHDRAWN, Application.Status.DRAFT)],
            call__interviews_book_by__gte=start,
            call__interviews_book_by__lte=end,
        )
        .exclude(pk__in=InterviewSlot.objects.filter(application__isnull=False).values("application"))
    )
    for application in _people(waiting):
        yield from _to_each_person(
            application,
            moment=application.call.interviews_book_by,
            template="applications/email/reminder_interview",
            key=f"interview-{application.pk}",
            subject=f"Reminder: book your interview for {application.call.title}",
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
            "call_full_not_started",
            "Shortlisted organisations that have not started the full application",
            _full_not_started,
            passed="the full application closed",
        )
    )
    register(
        Source(
            "interview_unbooked",
            "Shortlisted organisations that have not booked an interview",
            _interviews_unbooked,
            passed="the time to book interviews passed",
        )
    )
    register(
        Source(
            "review_pending",
            "Reviews to finish before the review deadline",
            _reviews,
            passed="the review deadline passed",
        )
    )
