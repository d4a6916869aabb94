from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.serializers import serialize
from django.utils import timezone

from applications.models import OpenCall
from cohorts.models import Cohort, Membership, Participant
from events.models import Event
from funding.models import Award

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # seed_demo is for laptops, where DEBUG is on; the test runner turns it off.
    settings.DEBUG = True


PROJECT_APPS = ["users", "cohorts", "applications", "events", "funding", "account"]


def _snapshot() -> str:
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    return "".join(serialize("json", m.objects.order_by("pk")) for m in models)


def test_seed_demo_creates_the_demo_programme(capsys):
    call_command("seed_demo")
    running = Cohort.objects.get(slug="cohort-2")
    assert running.status == Cohort.Status.RUNNING
    assert Membership.objects.filter(cohort=running).count() == 7
    assert Participant.objects.filter(membership__cohort=running).count() == 11
    assert Event.objects.filter(cohort=running).count() == 12
    assert Event.objects.filter(cohort=running, kind="roundtable").values("theme").distinct().count() == 4
    assert Award.objects.filter(membership__cohort=running).count() == 7
    call = OpenCall.objects.get()
    assert call.is_open()
    assert timedelta(days=29) < call.closes_at - timezone.now() <= timedelta(days=31)
    out = capsys.readouterr().out
    assert "staff@cohortnet.example / cohortnet-demo-2026" in out
    assert "applicant@example.org / cohortnet-demo-2026" in out
    assert "participant@example.org / cohortnet-demo-2026" in out


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_seed_demo_refuses_when_debug_is_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Cohort.objects.count() == 0
