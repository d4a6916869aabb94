from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_reminder_rule_swept_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="email",
            name="batch",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The held emails staff may send together, e.g. the decisions of one call.",
                max_length=255,
            ),
        ),
    ]
