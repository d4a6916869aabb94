# The feedback forms and the publication were built side by side, each from outcomes' empty start; this joins
# the two lines of migrations (neither touches the other's tables).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_publication"),
        ("outcomes", "0002_feedback_reminder_rule"),
    ]

    operations = []
