"""The hand-written revisions of approved roadmaps move into simple-history."""

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
    Revision = apps.get_model("roadmaps", "Revision")
    Item = apps.get_model("roadmaps", "Item")
    Roadmap = apps.get_model("roadmaps", "Roadmap")
    for revision in Revision.objects.order_by("pk").iterator():
        # A change of an item goes to the item's history; one of the roadmap as
        # a whole (its indicators), or of an item since deleted, to the roadmap's.
        on_item = revision.item_id and Item.objects.filter(pk=revision.item_id).exists()
        revision_into_history(
            apps.get_model("roadmaps", "HistoricalItem" if on_item else "HistoricalRoadmap"),
            Item if on_item else Roadmap,
            revision.item_id if on_item else revision.roadmap_id,
            at=revision.at,
            by_id=revision.by_id,
            reason=revision.reason,
            changes=revision.changes,
        )


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0002_history_changes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
