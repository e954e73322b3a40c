"""
Give every own methodology an owner: the municipality (or region) of the
analyst who made it; failing that, the municipality its runs covered (the
region when they covered several); failing that, the first region.
"""

from django.db import migrations


def assign_owners(apps, schema_editor):
    Methodology = apps.get_model("identification", "Methodology")
    Run = apps.get_model("identification", "IdentificationRun")
    Region = apps.get_model("schools", "Region")
    for methodology in Methodology.objects.filter(
        is_preset=False, municipality__isnull=True, region__isnull=True
    ):
        first = methodology.versions.order_by("number").select_related("created_by").first()
        author = first.created_by if first else None
        if author is not None and author.municipality_id:
            methodology.municipality_id = author.municipality_id
        elif author is not None and author.region_id:
            methodology.region_id = author.region_id
        else:
            covered = set(
                Run.objects.filter(version__methodology=methodology).values_list(
                    "municipalities", flat=True
                )
            ) - {None}
            if len(covered) == 1:
                methodology.municipality_id = covered.pop()
            else:
                Municipality = apps.get_model("schools", "Municipality")
                regions = set(
                    Municipality.objects.filter(pk__in=covered).values_list(
                        "region_id", flat=True
                    )
                )
                fallback = Region.objects.order_by("pk").values_list("pk", flat=True)
                methodology.region_id = (
                    regions.pop() if len(regions) == 1 else fallback.first()
                )
        methodology.save(update_fields=["municipality", "region"])


class Migration(migrations.Migration):
    dependencies = [("identification", "0005_methodology_owner")]

    operations = [migrations.RunPython(assign_owners, migrations.RunPython.noop)]
