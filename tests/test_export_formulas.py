"""
No export carries a live formula: «=1+1» written into every text field people
fill lands in every export as text, never as a formula.
"""

import inspect
import io

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast, Concat
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from identification.criteria import LISTED
from identification.models import IdentificationRun, OfficialList
from monitoring.models import Campaign, ImportJob
from partnerships.models import Campaign as PartnershipCampaign
from partnerships.models import GeneralPlan
from roadmaps.models import Roadmap
from schools import audit

MARK = '=1+1&HYPERLINK("http://evil.example","x")'
PROJECT_APPS = ("schools", "monitoring", "identification", "partnerships", "roadmaps")
# Text that is not free text: identifiers the code looks up or matches by.
NOT_FREE_TEXT = {
    "code",
    "criterion",
    "source",
    "number",
    "username",
    "password",
    "email",
    "inn",
    "oge_code",
    "ege_code",
    "first_name",
    "last_name",
    "file",
    "scan",
    "materials_file",
}


def _unique_fields(model):
    together = {
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        for name in constraint.fields
    }
    return together | {f.name for f in model._meta.fields if f.unique}


def fill_every_text_field_with_a_formula():
    """Put MARK into every free-text column of the project's tables."""
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        if model.__name__.startswith("Historical") or model.__name__ in (
            "Subject",
            "AuditEvent",  # append-only; its text is added below
        ):
            continue
        unique = _unique_fields(model)
        values = {}
        for field in model._meta.concrete_fields:
            if (
                not isinstance(field, models.CharField | models.TextField)
                or isinstance(
                    field, models.SlugField | models.EmailField | models.URLField
                )
                or field.choices
                or field.name in NOT_FREE_TEXT
                or field.primary_key
            ):
                continue
            text = models.Value(MARK[: (field.max_length or 200) - 12])
            # Unique text stays unique: the row's key follows the mark.
            values[field.name] = (
                Concat(text, Cast("pk", models.CharField()))
                if field.name in unique
                else text
            )
        if values:
            model.objects.update(**values)


def export_urls():
    """Every export of the portal, with what it needs to show data."""
    # A run whose report lists schools (with their names and reasons).
    run = (
        IdentificationRun.objects.filter(
            status="done", school_results__status__in=LISTED
        )
        .distinct()
        .first()
    )
    job = ImportJob.objects.first()
    campaign = Campaign.objects.first()
    general = PartnershipCampaign.objects.filter(general_plan__isnull=False).first()
    urls = {
        "schools:school-list": reverse("schools:school-list") + "?format=xlsx",
        "schools:user-list": reverse("schools:user-list") + "?format=xlsx",
        "schools:audit-log": reverse("schools:audit-log") + "?format=xlsx",
        "monitoring:index": reverse("monitoring:index") + "?format=xlsx",
        "monitoring:campaign-detail": campaign.get_absolute_url() + "?format=xlsx",
        "monitoring:import-list": reverse("monitoring:import-list") + "?format=xlsx",
        "monitoring:import-errors": reverse("monitoring:import-errors", args=[job.pk]),
        "monitoring:template": reverse("monitoring:template"),
        "monitoring:package-export": reverse("monitoring:package-export"),
        "partnerships:gradation": reverse("partnerships:gradation") + "?format=xlsx",
        "partnerships:general-plan": reverse(
            "partnerships:general-plan", args=[general.pk]
        )
        + "?format=xlsx",
        "identification:dashboard": reverse("identification:dashboard")
        + "?format=xlsx",
        "identification:run-dashboard": reverse(
            "identification:run-dashboard", args=[run.pk]
        )
        + "?format=xlsx",
        "identification:run-report": reverse("identification:run-report", args=[run.pk])
        + "?format=xlsx",
        "identification:list-detail": OfficialList.objects.first().get_absolute_url()
        + "?format=xlsx",
    }
    for roadmap in Roadmap.objects.all():
        urls[f"roadmaps:detail {roadmap.pk}"] = (
            roadmap.get_absolute_url() + "?format=xlsx"
        )
    return urls


def cells(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.fixture
def poisoned(db, world):
    """The small world of tests/world.py (an object of every kind) with a formula in every text."""
    admin = world.people["admin"]
    ImportJob.objects.create(
        kind=ImportJob.Kind.PACKAGE,
        status=ImportJob.Status.INVALID,
        file="imports/x.xlsx",
        original_name=MARK,
        issues=[
            {"message": MARK, "sheet": MARK, "row": 2, "column": MARK, "value": MARK}
        ],
        uploaded_by=admin,
    )
    fill_every_text_field_with_a_formula()
    audit.record(None, audit.Event.EXPORT, by=admin, target=MARK, detail=MARK)
    # The general plan keeps its activities as a snapshot of the approved plans.
    for plan in GeneralPlan.objects.all():
        plan.rows = [{**row, "title": MARK} for row in plan.rows]
        plan.save(update_fields=["rows"])
    return admin


def test_every_export_writes_user_text_as_text(client, poisoned):
    client.force_login(poisoned)
    marked = []
    for name, url in export_urls().items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxml"), name
        found = False
        for cell in cells(response.content):
            assert cell.data_type != "f", f"{name}: {cell.coordinate} is a formula"
            if isinstance(cell.value, str) and cell.value.startswith("=1+1"):
                found = True
                assert cell.quotePrefix, f"{name}: {cell.coordinate} not marked"
        if found:
            marked.append(name)
    # The text really got into the exports that show people's text.
    assert {
        "schools:school-list",
        "schools:audit-log",
        "monitoring:import-list",
        "monitoring:import-errors",
        "partnerships:general-plan",
        "identification:run-report",
        "identification:list-detail",
    } <= set(marked)
    assert any(name.startswith("roadmaps:detail") for name in marked)


def test_an_operator_export_is_safe_too(client, poisoned, world):
    client.force_login(world.people["operator_a1"])
    response = client.get(reverse("monitoring:index") + "?format=xlsx")
    written = list(cells(response.content))
    assert all(cell.data_type != "f" for cell in written)
    # The school's own name, poisoned above, is in the export as quoted text.
    marked = [
        c for c in written if isinstance(c.value, str) and c.value.startswith("=1+1")
    ]
    assert marked
    assert all(c.quotePrefix for c in marked)


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _views(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern.callback


def test_every_view_that_writes_xlsx_is_checked_above(db):
    """A new export without a place in export_urls fails here."""
    exporting = set()
    for name, callback in _views(get_resolver().url_patterns):
        view = inspect.unwrap(callback)
        if view.__module__.startswith(PROJECT_APPS) and "xlsx_response(" in (
            inspect.getsource(view)
        ):
            exporting.add(name)
    source = inspect.getsource(export_urls)
    missing = {name for name in exporting if f'"{name}' not in source}
    assert not missing
