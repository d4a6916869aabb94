# The reports were built beside the feedback forms and the publication, from outcomes' empty start; this joins
# their line of migrations to the others (none touches another's tables).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_reports"),
        ("outcomes", "0003_merge_feedback_and_publication"),
    ]

    operations = []
