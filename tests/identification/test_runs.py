"""Runs stored whole, fingerprints, what changed, decisions, approval; the command line."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from identification import selectors, services
from identification.criteria import LISTED
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
from tests.factories import AcademicYearFactory
from tests.factories.identification import RunFactory


def test_run_stores_every_school_and_criterion_with_years_and_fingerprint(
    town_run, town
):
    assert town_run.status == IdentificationRun.Status.DONE
    assert SchoolResult.objects.filter(run=town_run).count() == 6
    assert CriterionResult.objects.filter(run=town_run).count() == 6 * 13
    assert town_run.years_used["R1"] == ["2020/2021", "2019/2020"]
    assert len(town_run.fingerprint) == 64
    assert town_run.params["r1"]["pct"] == 30
    weak_school = town["МБОУ «СОШ № 6»"]
    weak = SchoolResult.objects.get(run=town_run, school=weak_school)
    assert weak.shnor
    assert (
        CriterionResult.objects.get(
            run=town_run, school=weak_school, criterion="R1"
        ).state
        == "flagged"
    )
    explanation = selectors.run_details(town_run)[weak_school.pk]["R1"][0]
    assert "«2» получили" in explanation


def test_run_keeps_the_exact_parameters_even_if_the_methodology_changes(
    town_run, analyst, combined
):
    own = services.methodology_copy(source=combined, name="Своя", by=analyst)
    params = own.current.params | {"min_schools": 5}
    services.methodology_version_create(
        methodology=own,
        params=params,
        comment="Больше школ для ранжирования",
        by=analyst,
    )
    town_run.refresh_from_db()
    assert town_run.params["min_schools"] == 4
    assert own.current.number == 2


def test_readiness_lists_unaccepted_reports(town_run, town):
    school = town["МБОУ «ООШ № 5»"]
    notes = town_run.readiness[str(school.pk)]
    assert any("Кадры за 2020/2021: черновик" in n for n in notes)
    assert town_run.readiness[str(town["МБОУ «СОШ № 6»"].pk)] == [
        "Социальный паспорт за 2020/2021: на проверке"
    ]
    assert str(town["МБОУ «СОШ № 9»"].pk) not in town_run.readiness  # all accepted


def test_only_accepted_run_ignores_unaccepted_figures(town_run, town, analyst):
    run = RunFactory(
        target_year=town_run.target_year,
        municipalities=[analyst.municipality],
        version=town_run.version,
        only_accepted=True,
        created_by=analyst,
    )
    # ООШ № 5's 2020/2021 reports are drafts: with accepted data only, its social
    # passport of that year is not read — N1, which flags it on all the data,
    # has nothing to go on, and the school is no longer ШНСУ.
    school = town["МБОУ «ООШ № 5»"]
    assert run.only_accepted
    row = CriterionResult.objects.get(run=run, school=school, criterion="L2")
    assert row.state in ("no_data", "not_applicable")

    def n1(run):
        return CriterionResult.objects.get(run=run, school=school, criterion="N1")

    assert (n1(town_run).state, n1(run).state) == ("flagged", "no_data")
    assert SchoolResult.objects.get(run=town_run, school=school).status == "ШНСУ"
    assert SchoolResult.objects.get(run=run, school=school).status == "нет"


def test_rerun_on_changed_data_shows_what_changed_and_why(town_run, town, analyst):
    school = town["МБОУ «СОШ № 9»"]
    StaffingData.objects.filter(
        report__school=school, report__year__start_year=2020
    ).update(
        category_confirmed_3y=0,
        contest_participants_3y=0,
        overloaded=40,
        not_by_profile=20,
    )
    second = services.run_create(
        target_year=town_run.target_year,
        municipalities=[analyst.municipality],
        version=town_run.version,
        only_accepted=False,
        by=analyst,
        enqueue=False,
    )
    services.run_execute(run=second)
    second.refresh_from_db()
    assert second.fingerprint != town_run.fingerprint
    assert selectors.previous_run(second) == town_run
    diff = {d["school"]: d for d in selectors.run_diff(second, town_run)}
    change = diff["МБОУ «СОШ № 9»"]
    n2 = next(c for c in change["criteria"] if c["criterion"] == "N2")
    assert (n2["before"], n2["after"]) == ("not_flagged", "flagged")
    assert "Индекс качества кадрового потенциала" in n2["after_text"]


def test_same_data_gives_the_same_fingerprint(town_run, analyst):
    again = services.run_create(
        target_year=town_run.target_year,
        municipalities=[analyst.municipality],
        version=town_run.version,
        only_accepted=False,
        by=analyst,
        enqueue=False,
    )
    services.run_execute(run=again)
    again.refresh_from_db()
    assert again.fingerprint == town_run.fingerprint
    assert selectors.run_diff(again, town_run) == []


def test_operator_and_approver_cannot_run(operator, approver, analyst, combined):
    for person in (operator, approver):
        with pytest.raises(PermissionDenied):
            services.run_create(
                target_year=AcademicYearFactory(start_year=2021),
                municipalities=[analyst.municipality],
                version=combined.current,
                only_accepted=False,
                by=person,
            )
    assert not IdentificationRun.objects.exists()


def test_override_needs_reason_and_keeps_history(town_run, town, analyst):
    school = town["МБОУ «ООШ № 5»"]
    with pytest.raises(ValidationError):
        services.override_set(
            school=school,
            year=town_run.target_year,
            status="ШНСУ",
            reason=" ",
            by=analyst,
        )
    services.override_set(
        school=school,
        year=town_run.target_year,
        status="ШНСУ",
        reason="Решение рабочей группы, протокол № 2",
        by=analyst,
    )
    services.override_set(
        school=school,
        year=town_run.target_year,
        status="ШНОР и ШНСУ",
        reason="Уточнено",
        by=analyst,
    )
    assert StatusOverride.objects.filter(school=school).count() == 2
    assert (
        StatusOverride.objects.get(school=school, is_active=True).status
        == "ШНОР и ШНСУ"
    )


def test_approval_by_department_makes_the_official_list_and_supersedes(
    town_run, town, approver, analyst
):
    school = town["МБОУ «СОШ № 9»"]
    services.override_set(
        school=school,
        year=town_run.target_year,
        status="ШНСУ",
        reason="Школа на другом берегу, решение МИМЦ",
        by=analyst,
    )
    with pytest.raises(PermissionDenied):
        services.list_approve(
            run=town_run,
            municipality=analyst.municipality,
            order_number="1",
            order_date="2021-09-30",
            by=analyst,
        )
    with pytest.raises(ValidationError):
        services.list_approve(
            run=town_run,
            municipality=analyst.municipality,
            order_number="",
            order_date="2021-09-30",
            by=approver,
        )
    first = services.list_approve(
        run=town_run,
        municipality=analyst.municipality,
        order_number="№ 107",
        order_date="2021-09-30",
        by=approver,
    )
    entry = first.entries.get(school=school)
    assert (entry.status, entry.computed_status) == ("ШНСУ", "нет")
    assert entry.override_reason == "Школа на другом берегу, решение МИМЦ"
    assert first.order_number == "107"
    weak = first.entries.get(school=town["МБОУ «СОШ № 6»"])
    assert "R1 (правило 30 %)" in weak.reasons
    with pytest.raises(ValidationError, match="Уже утверждён"):
        services.list_approve(
            run=town_run,
            municipality=analyst.municipality,
            order_number="107",
            order_date="2021-09-30",
            by=approver,
        )
    with pytest.raises(NeedsConfirmation, match="заменит утверждённый"):
        services.list_approve(
            run=town_run,
            municipality=analyst.municipality,
            order_number="112",
            order_date="2021-10-05",
            by=approver,
        )
    first.refresh_from_db()
    assert first.superseded_at is None
    second = services.list_approve(
        run=town_run,
        municipality=analyst.municipality,
        order_number="112",
        order_date="2021-10-05",
        by=approver,
        confirmed=True,
    )
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert OfficialList.objects.get(superseded_at__isnull=True) == second


def test_whatif_shows_who_enters_and_leaves_without_saving(town_run):
    params = dict(town_run.params)
    params["r1"] = dict(params["r1"], pct=60)
    before = IdentificationRun.objects.count()
    preview = services.whatif(base=town_run, params=params)
    assert IdentificationRun.objects.count() == before
    assert isinstance(preview["enter"], list)
    assert preview["counts_before"] != preview["counts_after"] or not (
        preview["enter"] or preview["leave"]
    )
    # At 60 % no school's «2» reach the rule, and СОШ № 6 stays ШНОР by L1:
    # the town's statuses do not change.
    counts = {"нет": 3, "ШНОР": 1, "ШНСУ": 1, "ШНОР и ШНСУ": 1}
    assert preview["counts_before"] == preview["counts_after"] == counts
    assert preview["enter"] == preview["leave"] == preview["change"] == []


def test_identify_command_json_on_an_imported_package(town, tmp_path):
    """export → empty database → import_package → identify --json: the same statuses as before."""
    expected = {}
    for year in ("2018/2019", "2019/2020", "2020/2021"):
        call_command(
            "export_package",
            str(tmp_path / f"{year[:4]}.xlsx"),
            year=year,
            stdout=io.StringIO(),
        )
    out = io.StringIO()
    call_command("identify", year="2021/2022", json=True, stdout=out)
    for school in json.loads(out.getvalue())["schools"]:
        expected[school["code"]] = school["status"]
    assert expected == {
        town[name].code: status
        for name, status in (
            ("МБОУ «СОШ № 1»", "нет"),
            ("МБОУ «ООШ № 5»", "ШНСУ"),
            ("МБОУ «СОШ № 6»", "ШНОР и ШНСУ"),
            ("МБОУ «СОШ № 8»", "ШНОР"),
            ("МБОУ «СОШ № 9»", "нет"),
            ("МБОУ «Гимназия»", "нет"),
        )
    }

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
    town_run, approver, analyst, client
):
    from django.urls import reverse

    first = services.list_approve(
        run=town_run,
        municipality=analyst.municipality,
        order_number="107",
        order_date="2021-09-30",
        by=approver,
    )
    outside = (
        first.entries.exclude(status__in=LISTED).select_related("school").first().school
    )
    services.override_set(
        school=outside,
        year=town_run.target_year,
        status="ШНОР",
        reason="решение рабочей группы",
        by=analyst,
    )
    client.force_login(approver)
    url = reverse("identification:run-approve", args=[town_run.pk])
    form = {
        "municipality": analyst.municipality.pk,
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


def test_an_official_list_dated_in_the_future_is_refused(town_run, approver, analyst):
    import datetime as dt

    from django.utils import timezone

    with pytest.raises(ValidationError, match="ещё не наступила"):
        services.list_approve(
            run=town_run,
            municipality=analyst.municipality,
            order_number="5",
            order_date=timezone.localdate() + dt.timedelta(days=2),
            by=approver,
        )
    assert not OfficialList.objects.filter(run=town_run).exists()


def test_a_run_over_a_municipality_without_schools_finishes_empty(
    other_municipality, combined
):
    # On PostgreSQL an empty list of regions made the inputs' query raise
    # EmptyResultSet before it reached the database.
    run = RunFactory(
        target_year=AcademicYearFactory(start_year=2021),
        municipalities=[other_municipality],
        version=combined.current,
    )
    assert run.status == IdentificationRun.Status.DONE
    assert not run.school_results.exists()
