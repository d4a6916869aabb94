"""QA of issue #20: the directory's cached list after a backup is restored.

``Cohort.content_version`` is a counter kept in the database. Restoring a backup (``manage.py restore``)
puts the counter back to what it was when the backup was taken, while Redis still holds the fragments
drawn under the numbers used since. The next write after the restore moves the counter to a number
already used before the restore, and the page reads the fragment drawn then: members that are not in
the restored database, and not the one just added. The call page and the event cells are keyed on
timestamps and the budget on a digest of its figures, so only the counter can repeat.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cohorts import services
from privacy.backups import backup
from tests.factories import OrganisationFactory, ParticipantFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_a_restore_the_directory_shows_the_restored_members_and_the_next_write(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    participant = ParticipantFactory(membership__organisation__name="Aardvark Data")
    cohort = participant.membership.cohort
    client.force_login(participant.user)
    url = reverse("cohorts:directory", args=[cohort.slug])
    assert "Aardvark Data" in client.get(url).content.decode()

    folder = backup(database=dict(connection.settings_dict), media_root=tmp_path / "media", folder=tmp_path / "b")
    services.membership_add(cohort=cohort, organisation=OrganisationFactory(name="Before The Restore"))
    assert "Before The Restore" in client.get(url).content.decode()  # cached under the next number

    call_command("restore", str(folder), "--yes")
    client.force_login(participant.user)  # the session written after the backup is gone with the restore
    services.membership_add(cohort=cohort, organisation=OrganisationFactory(name="After The Restore"))

    page = client.get(url).content.decode()
    assert "Before The Restore" not in page
    assert "After The Restore" in page
