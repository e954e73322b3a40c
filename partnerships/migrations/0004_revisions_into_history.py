"""The hand-written revisions of approved interaction plans move into simple-history."""

from django.db import migrations


def revision_into_history(historical, live, pk, *, at, by_id, reason, changes):
    """
    A row of the former revision table becomes a history record of the object
    it changed — the object's state as recorded then (or now, when nothing
    was recorded), with the revision's author, moment, reason and changes.
    Kept here, not imported: a migration does not change with the app's code.
    """
    snapshot = (
        historical.objects.filter(id=pk, history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .first()
    ) or live.objects.get(pk=pk)
    own = {
        "history_id",
        "history_date",
        "history_type",
        "history_user",
        "history_change_reason",
        "changes",
    }
    values = {
        field.attname: getattr(snapshot, field.attname)
        for field in historical._meta.concrete_fields
        if field.name not in own
    }
    historical.objects.create(
        **values,
        history_date=at,
        history_type="~",
        history_user_id=by_id,
        history_change_reason=reason,
        changes=changes,
    )


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
