"""Store calendar UIDs, and give 1:1 slots a SEQUENCE.

Existing events keep the UID they were published with (``event-<pk>@cohortnet``),
so calendars that already hold them still match; new rows get a UID unique to
this deployment. Existing slots were never in a calendar and get a new one.
"""

from django.db import migrations, models

import events.models


def fill_uids(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    SupportSlot = apps.get_model("events", "SupportSlot")
    for event in Event.objects.filter(uid__isnull=True).only("pk"):
        Event.objects.filter(pk=event.pk).update(uid=f"event-{event.pk}@cohortnet")
    for slot in SupportSlot.objects.filter(uid__isnull=True).only("pk"):
        SupportSlot.objects.filter(pk=slot.pk).update(uid=events.models.calendar_uid())


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_listing_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="uid",
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name="calendar UID"),
        ),
        migrations.AddField(
            model_name="supportslot",
            name="uid",
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name="calendar UID"),
        ),
        migrations.AddField(
            model_name="supportslot",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0, editable=False, help_text="Goes up on every booking, change and cancellation."
            ),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="uid",
            field=models.CharField(
                default=events.models.calendar_uid,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="calendar UID",
            ),
        ),
        migrations.AlterField(
            model_name="supportslot",
            name="uid",
            field=models.CharField(
                default=events.models.calendar_uid,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="calendar UID",
            ),
        ),
    ]
