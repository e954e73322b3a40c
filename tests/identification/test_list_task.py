"""The department's task «Утвердить список ШНОР/ШНСУ»: each municipality approves its own list."""

import datetime as dt

import pytest

from identification import services
from identification.home import lists_to_approve
from identification.models import Methodology


@pytest.fixture
def shared_run(db, world):
    """A finished run over municipalities A and B, the latest of both."""
    a, b = world.places["A"], world.places["B"]
    run = services.run_create(
        target_year=a.get("run").target_year,
        municipalities=[a.municipality, b.municipality],
        version=Methodology.objects.get(code="combined").current,
        only_accepted=False,
        by=world.people["region_analyst"],
        enqueue=False,
    )
    services.run_execute(run=run)
    run.refresh_from_db()
    return run


def test_one_municipalitys_approval_leaves_the_others_task(world, shared_run):
    approver_a, approver_b = world.people["approver_a"], world.people["approver_b"]
    assert list(lists_to_approve(approver_a)) == [shared_run]
    assert list(lists_to_approve(approver_b)) == [shared_run]
    services.list_approve(
        run=shared_run,
        municipality=world.places["A"].municipality,
        order_number="55",
        order_date=dt.date(2021, 10, 5),
        by=approver_a,
        confirmed=True,
    )
    assert list(lists_to_approve(approver_a)) == []
    # B has not approved its list from this run: the task stays for B.
    assert list(lists_to_approve(approver_b)) == [shared_run]
    assert lists_to_approve(world.people["analyst_a"]) is None
