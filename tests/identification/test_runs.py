"""Runs stored whole, fingerprints, what changed, decisions, approval; the command line."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from identification import selectors, services
from identification.models import (
    CriterionResult,
    IdentificationRun,
    Methodology,
    OfficialList,
    SchoolResult,
    StatusOverride,
)
from monitoring.models import StaffingData
from schools.models import AcademicYear, Municipality, School, User
from schools.workflow import NeedsConfirmation


def test_run_stores_every_school_and_criterion_with_years_and_fingerprint(demo_run):
    assert demo_run.status == IdentificationRun.Status.DONE
    assert SchoolResult.objects.filter(run=demo_run).count() == 9
    assert CriterionResult.objects.filter(run=demo_run).count() == 9 * 13
    assert demo_run.years_used["R1"] == ["2020/2021", "2019/2020"]
    assert len(demo_run.fingerprint) == 64
    assert demo_run.params["r1"]["pct"] == 30
    weak = SchoolResult.objects.get(run=demo_run, school__code="sch242706")
    assert weak.shnor
    weak_school = School.objects.get(code="sch242706")
    assert (
        CriterionResult.objects.get(
            run=demo_run, school=weak_school, criterion="R1"
        ).state
        == "flagged"
    )
    explanation = selectors.run_details(demo_run)[weak_school.pk]["R1"][0]
    assert "«2» получили" in explanation


def test_run_keeps_the_exact_parameters_even_if_the_methodology_changes(demo_run, mimc):
    own = services.methodology_copy(
        source=Methodology.objects.get(code="combined"), name="Своя", by=mimc
    )
    params = own.current.params | {"min_schools": 5}
    services.methodology_version_create(
        methodology=own, params=params, comment="Больше школ для ранжирования", by=mimc
    )
    demo_run.refresh_from_db()
    assert demo_run.params["min_schools"] == 4
    assert own.current.number == 2


def test_readiness_lists_unaccepted_reports(demo_run):
    school = School.objects.get(code="sch242705")
    notes = demo_run.readiness[str(school.pk)]
    assert any("Кадры за 2020/2021: черновик" in n for n in notes)


def test_only_accepted_run_ignores_unaccepted_figures(demo, mimc):
    run = services.run_create(
        target_year=AcademicYear.objects.get(start_year=2021),
        municipalities=[mimc.municipality],
        version=Methodology.objects.get(code="combined").current,
        only_accepted=True,
        by=mimc,
        enqueue=False,
    )
    services.run_execute(run=run)
    # ООШ № 5's 2020/2021 reports are drafts: with accepted data only, R1 looks at older years.
    assert run.only_accepted
    row = CriterionResult.objects.get(run=run, school__code="sch242705", criterion="L2")
    assert row.state in ("no_data", "not_applicable")


def test_rerun_on_changed_data_shows_what_changed_and_why(demo_run, mimc):
    school = School.objects.get(code="sch242709")
    StaffingData.objects.filter(
        report__school=school, report__year__start_year=2020
    ).update(
        category_confirmed_3y=0,
        contest_participants_3y=0,
        overloaded=40,
        not_by_profile=20,
    )
    second = services.run_create(
        target_year=demo_run.target_year,
        municipalities=[mimc.municipality],
        version=demo_run.version,
        only_accepted=False,
        by=mimc,
        enqueue=False,
    )
    services.run_execute(run=second)
    second.refresh_from_db()
    assert second.fingerprint != demo_run.fingerprint
    assert selectors.previous_run(second) == demo_run
    diff = {d["school"]: d for d in selectors.run_diff(second, demo_run)}
    change = diff["МБОУ «СОШ № 9»"]
    n2 = next(c for c in change["criteria"] if c["criterion"] == "N2")
    assert (n2["before"], n2["after"]) == ("not_flagged", "flagged")
    assert "Индекс качества кадрового потенциала" in n2["after_text"]


def test_same_data_gives_the_same_fingerprint(demo_run, mimc):
    again = services.run_create(
        target_year=demo_run.target_year,
        municipalities=[mimc.municipality],
        version=demo_run.version,
        only_accepted=False,
        by=mimc,
        enqueue=False,
    )
    services.run_execute(run=again)
    again.refresh_from_db()
    assert again.fingerprint == demo_run.fingerprint
    assert selectors.run_diff(again, demo_run) == []


def test_operator_and_approver_cannot_run(demo):
    from schools.models import User

    for name in ("sch242701", "uo"):
        with pytest.raises(PermissionDenied):
            services.run_create(
                target_year=AcademicYear.objects.get(start_year=2021),
                municipalities=[User.objects.get(username="mimc").municipality],
                version=Methodology.objects.get(code="combined").current,
                only_accepted=False,
                by=User.objects.get(username=name),
            )


def test_override_needs_reason_and_keeps_history(demo_run, mimc):
    school = School.objects.get(code="sch242705")
    with pytest.raises(ValidationError):
        services.override_set(
            school=school, year=demo_run.target_year, status="ШНСУ", reason=" ", by=mimc
        )
    services.override_set(
        school=school,
        year=demo_run.target_year,
        status="ШНСУ",
        reason="Решение рабочей группы, протокол № 2",
        by=mimc,
    )
    services.override_set(
        school=school,
        year=demo_run.target_year,
        status="ШНОР и ШНСУ",
        reason="Уточнено",
        by=mimc,
    )
    assert StatusOverride.objects.filter(school=school).count() == 2
    assert (
        StatusOverride.objects.get(school=school, is_active=True).status
        == "ШНОР и ШНСУ"
    )


def test_approval_by_department_makes_the_official_list_and_supersedes(
    demo_run, uo, mimc
):
    school = School.objects.get(code="sch242709")
    services.override_set(
        school=school,
        year=demo_run.target_year,
        status="ШНСУ",
        reason="Школа на другом берегу, решение МИМЦ",
        by=mimc,
    )
    with pytest.raises(PermissionDenied):
        services.list_approve(
            run=demo_run,
            municipality=mimc.municipality,
            order_number="1",
            order_date="2021-09-30",
            by=mimc,
        )
    with pytest.raises(ValidationError):
        services.list_approve(
            run=demo_run,
            municipality=mimc.municipality,
            order_number="",
            order_date="2021-09-30",
            by=uo,
        )
    first = services.list_approve(
        run=demo_run,
        municipality=mimc.municipality,
        order_number="№ 107",
        order_date="2021-09-30",
        by=uo,
    )
    entry = first.entries.get(school=school)
    assert (entry.status, entry.computed_status) == ("ШНСУ", "нет")
    assert entry.override_reason == "Школа на другом берегу, решение МИМЦ"
    assert first.order_number == "107"
    weak = first.entries.get(school__code="sch242706")
    assert "R1 (правило 30 %)" in weak.reasons
    with pytest.raises(ValidationError, match="Уже утверждён"):
        services.list_approve(
            run=demo_run,
            municipality=mimc.municipality,
            order_number="107",
            order_date="2021-09-30",
            by=uo,
        )
    with pytest.raises(NeedsConfirmation, match="заменит утверждённый"):
        services.list_approve(
            run=demo_run,
            municipality=mimc.municipality,
            order_number="112",
            order_date="2021-10-05",
            by=uo,
        )
    first.refresh_from_db()
    assert first.superseded_at is None
    second = services.list_approve(
        run=demo_run,
        municipality=mimc.municipality,
        order_number="112",
        order_date="2021-10-05",
        by=uo,
        confirmed=True,
    )
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert OfficialList.objects.get(superseded_at__isnull=True) == second


def test_whatif_shows_who_enters_and_leaves_without_saving(demo_run):
    params = dict(demo_run.params)
    params["r1"] = dict(params["r1"], pct=60)
    before = IdentificationRun.objects.count()
    preview = services.whatif(base=demo_run, params=params)
    assert IdentificationRun.objects.count() == before
    assert isinstance(preview["enter"], list)
    assert preview["counts_before"] != preview["counts_after"] or not (
        preview["enter"] or preview["leave"]
    )


def test_identify_command_json_on_an_imported_package(db, tmp_path):
    """export → empty database → import_package → identify --json: the same statuses as before."""
    call_command("load_demo")
    expected = {}
    for year in ("2018/2019", "2019/2020", "2020/2021"):
        call_command("export_package", str(tmp_path / f"{year[:4]}.xlsx"), year=year)
    out = io.StringIO()
    call_command("identify", year="2021/2022", json=True, stdout=out)
    for school in json.loads(out.getvalue())["schools"]:
        expected[school["code"]] = school["status"]

    from monitoring.models import Campaign, RegionalMean, Report
    from schools.demo import region_droppers
    from schools.models import Municipality, Region, User

    for (
        dropper
    ) in region_droppers:  # every app's data about the schools: runs, roadmaps…
        dropper(School.objects.all())
    for model in (Report, Campaign, RegionalMean):
        for row in model.objects.all():
            for related in ("results", "comparisons", "events", "reminders"):
                getattr(row, related, None) and getattr(row, related).all().delete()
        model.objects.all().delete()
    User.objects.all().delete()
    for model in (School, Municipality, Region):
        model.objects.all().delete()
    for year in ("2018/2019", "2019/2020", "2020/2021"):
        call_command(
            "import_package", str(tmp_path / f"{year[:4]}.xlsx"), stdout=io.StringIO()
        )
    out = io.StringIO()
    call_command(
        "identify",
        year="2021/2022",
        municipality="г. Лесосибирск",
        json=True,
        stdout=out,
    )
    document = json.loads(out.getvalue())
    assert document["target_year"] == "2021/2022"
    assert document["years_used"] == ["2020/2021", "2019/2020"]
    assert {s["code"]: s["status"] for s in document["schools"]} == expected
    first = document["schools"][0]
    assert {"code", "name", "status", "shnor", "shnsu", "flags"} <= set(first)
    assert {f["criterion"] for f in first["flags"]} >= {"R1", "L1", "N1"}


def test_generate_demo_replaces_a_region_that_has_runs_overrides_and_an_official_list(
    db,
):
    call_command("generate_demo", schools=40, years=2, seed=1)
    services.ensure_presets()
    region_munis = Municipality.objects.filter(region__code="99")
    run = services.run_create(
        target_year=AcademicYear.objects.get(is_current=True),
        municipalities=region_munis,
        version=Methodology.objects.get(code="combined").current,
        only_accepted=False,
        by=None,
        enqueue=False,
    )
    services.run_execute(run=run)
    admin = User.objects.create_superuser("root", password="x")
    school = School.objects.filter(municipality__region__code="99").first()
    services.override_set(
        school=school,
        year=run.target_year,
        status="ШНСУ",
        reason="решение управления",
        by=admin,
    )
    services.list_approve(
        run=run,
        municipality=school.municipality,
        order_number="1",
        order_date=date(2021, 9, 1),
        by=admin,
    )

    call_command("generate_demo", schools=20, years=2, seed=2)

    assert School.objects.filter(municipality__region__code="99").count() == 20
    assert not IdentificationRun.objects.filter(pk=run.pk).exists()
    assert not CriterionResult.objects.filter(run_id=run.pk).exists()
    assert not OfficialList.objects.filter(run_id=run.pk).exists()


def test_load_demo_computes_two_years_and_approves_the_current_list(db):
    call_command("load_demo")
    runs = IdentificationRun.objects.filter(status="done").order_by(
        "target_year__start_year"
    )
    assert [r.target_year.start_year for r in runs] == [2020, 2021]
    official = OfficialList.objects.get()
    assert official.run == runs.last()
    assert official.order_number == "128"
    assert official.entries.count() == 9
    call_command("load_demo")
    assert IdentificationRun.objects.count() == 2


def test_replacing_an_approved_list_names_who_enters_and_leaves_and_waits_for_a_yes(
    demo_run, uo, mimc, client
):
    from django.urls import reverse

    first = services.list_approve(
        run=demo_run,
        municipality=mimc.municipality,
        order_number="107",
        order_date="2021-09-30",
        by=uo,
    )
    outside = (
        first.entries.exclude(status__in=services.LISTED)
        .select_related("school")
        .first()
        .school
    )
    services.override_set(
        school=outside,
        year=demo_run.target_year,
        status="ШНОР",
        reason="решение рабочей группы",
        by=mimc,
    )
    client.force_login(uo)
    url = reverse("identification:run-approve", args=[demo_run.pk])
    form = {
        "municipality": mimc.municipality.pk,
        "order_number": "112",
        "order_date": "2021-10-05",
    }
    page = client.post(url, form).content.decode()
    assert f"войдут: {outside.short_name}" in page
    assert "выйдут" not in page
    assert 'name="confirmed" value="1"' in page
    first.refresh_from_db()
    assert first.superseded_at is None
    client.post(url, {**form, "confirmed": "1"})
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert OfficialList.objects.get(superseded_at__isnull=True).order_number == "112"


def test_an_official_list_dated_in_the_future_is_refused(demo_run, uo, mimc):
    import datetime as dt

    from django.utils import timezone

    with pytest.raises(ValidationError, match="ещё не наступила"):
        services.list_approve(
            run=demo_run,
            municipality=mimc.municipality,
            order_number="5",
            order_date=timezone.localdate() + dt.timedelta(days=2),
            by=uo,
        )
    assert not OfficialList.objects.filter(run=demo_run).exists()
