import pytest
from django.core.management import call_command

from identification import services
from identification.demo import drop_runs
from identification.models import Methodology
from schools.models import AcademicYear, Municipality, School, User


@pytest.fixture
def demo(db):
    """The demo municipality without the demo's own runs and list: each test makes the runs it needs."""
    call_command("load_demo")
    drop_runs(School.objects.all())
    services.ensure_presets()


@pytest.fixture
def demo_run(demo):
    """A finished combined run for Лесосибирск on 2021/2022, made by the demo analyst."""
    run = services.run_create(
        target_year=AcademicYear.objects.get(start_year=2021),
        municipalities=Municipality.objects.filter(name="г. Лесосибирск"),
        version=Methodology.objects.get(code="combined").current,
        only_accepted=False,
        by=User.objects.get(username="mimc"),
        enqueue=False,
    )
    services.run_execute(run=run)
    run.refresh_from_db()
    return run


@pytest.fixture
def mimc(demo):
    return User.objects.get(username="mimc")


@pytest.fixture
def uo(demo):
    return User.objects.get(username="uo")
