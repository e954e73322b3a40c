"""The hand-written revisions of approved roadmaps move into simple-history."""

from django.db import migrations

from schools.history import revision_into_history


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
