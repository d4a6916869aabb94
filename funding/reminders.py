"""Reminders to Finance before an instalment falls due."""

from datetime import UTC, datetime, time

from django.contrib.auth import get_user_model

from funding.models import Instalment
from funding.permissions import FINANCE_GROUP
from notifications.reminders import Due, Source, register
from notifications.services import render_email

#: An instalment "falls due" at 09:00 UTC on its due date.
DUE_TIME = time(9, 0)


def _instalments(start, end):
    instalments = Instalment.objects.filter(
        status__in=[Instalment.Status.SCHEDULED, Instalment.Status.APPROVED],
        due_on__gte=start.astimezone(UTC).date(),
        due_on__lte=end.astimezone(UTC).date(),
        # One that waits for a report is not due: Finance hears of it once the report is accepted.
        held_for="",
    ).select_related("award__membership__organisation")
    finance = list(get_user_model().objects.filter(groups__name=FINANCE_GROUP, is_active=True))
    for instalment in instalments:
        moment = datetime.combine(instalment.due_on, DUE_TIME, tzinfo=UTC)
        if not start <= moment <= end:
            continue
        for user in finance:

            def render(extra, instalment=instalment):
                return render_email("funding/email/reminder_instalment", {"instalment": instalment, **extra})

            yield Due(
                obj_key=f"instalment-{instalment.pk}",
                moment=moment,
                user=user,
                subject=f"Instalment due: £{instalment.amount:,.2f} to {instalment.award.membership.organisation.name}",
                render=render,
            )


def register_sources() -> None:
    register(
        Source("instalment_due", "Instalments falling due (Finance)", _instalments, passed="the instalment fell due")
    )
