"""The hand-written revisions of approved interaction plans move into simple-history."""

from django.db import migrations

from schools.history import revision_into_history


def forwards(apps, schema_editor):
    Revision = apps.get_model("partnerships", "Revision")
    for revision in Revision.objects.order_by("pk").iterator():
        revision_into_history(
            apps.get_model("partnerships", "HistoricalPartnership"),
            apps.get_model("partnerships", "Partnership"),
            revision.partnership_id,
            at=revision.at,
            by_id=revision.by_id,
            reason=revision.reason,
            changes=revision.changes,
        )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0003_history_changes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
