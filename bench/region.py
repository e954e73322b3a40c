"""The synthetic region the page and suggestion benches share: generated, with one identification run over all of it."""

import argparse
import io


def region_run(*, schools: int, skip_generate: bool):
    """Return (region, its municipalities, a finished run over the whole region), generating what is missing."""
    from django.core.management import call_command
    from django.db.models import Count

    from identification import services
    from identification.models import IdentificationRun, Methodology
    from schools.models import AcademicYear, Municipality, Region, User

    call_command("migrate", verbosity=0)
    if not skip_generate:
        User.objects.filter(username__startswith="bench-").delete()
        call_command(
            "generate_demo", schools=schools, years=3, seed=1, stdout=io.StringIO()
        )
    services.ensure_presets()
    region = Region.objects.get(code="99")
    municipalities = Municipality.objects.filter(region=region)
    target = AcademicYear.objects.get(is_current=True)
    whole = (
        IdentificationRun.objects.filter(status="done", target_year=target)
        .annotate(n=Count("municipalities"))
        .filter(n=municipalities.count())
    )
    run = whole.filter(municipalities__region=region).order_by("-pk").first()
    if run is None:
        run = services.run_create(
            target_year=target,
            municipalities=municipalities,
            version=Methodology.objects.get(code="combined").current,
            only_accepted=False,
            by=None,
            enqueue=False,
        )
        services.run_execute(run=run)
    return region, municipalities, run


def region_from_command_line():
    """Parse `--schools N [--skip-generate]`, set Django up and return region_run's (region, municipalities, run)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    return region_run(schools=args.schools, skip_generate=args.skip_generate)
