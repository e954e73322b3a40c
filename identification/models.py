"""
Methodologies and their versions, identification runs and their immutable
results, manual overrides, and the approved official list of each year.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from schools import formatting
from schools.models import AcademicYear, BackgroundWork, Municipality, School

from .columns import (
    STATE_LABELS,
    STATUS_BOTH,
    STATUS_NO_DATA,
    STATUS_NONE,
    STATUS_SHNOR,
    STATUS_SHNSU,
)
from .engine.params import Params


class Methodology(models.Model):
    """
    A named methodology: a preset shipped with the portal (shared, read-only),
    or the own methodology of a municipality or of a region, which only that
    municipality's or region's analysts change.
    """

    code = models.SlugField("код", max_length=50, unique=True)
    name = models.CharField("название", max_length=200)
    is_preset = models.BooleanField("поставляется с порталом", default=False)
    description = models.TextField("описание", blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="methodologies",
        verbose_name="муниципалитет",
    )
    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="methodologies",
        verbose_name="регион",
    )

    class Meta:
        verbose_name = "методика"
        verbose_name_plural = "методики"
        ordering = ["-is_preset", "name"]
        constraints = [
            # A preset belongs to nobody; an own methodology to exactly one
            # municipality or one region.
            models.CheckConstraint(
                condition=Q(
                    is_preset=True, municipality__isnull=True, region__isnull=True
                )
                | Q(is_preset=False, municipality__isnull=False, region__isnull=True)
                | Q(is_preset=False, municipality__isnull=True, region__isnull=False),
                name="%(app_label)s_%(class)s_one_owner",
                violation_error_message="Методика принадлежит муниципалитету или региону (встроенная — никому).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("identification:methodology-detail", args=[self.pk])

    @property
    def current(self) -> MethodologyVersion:
        return self.versions.order_by("-number").first()

    @property
    def owner_label(self) -> str:
        """Return whose methodology it is: «готовая», a municipality or a region."""
        if self.is_preset:
            return "готовая, общая для всех"
        if self.municipality_id:
            return str(self.municipality)
        return f"{self.region} (весь регион)"


class MethodologyVersion(models.Model):
    """One set of parameters of a methodology; editing makes a new version."""

    methodology = models.ForeignKey(
        Methodology,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name="методика",
    )
    number = models.PositiveIntegerField("версия")
    params = models.JSONField("параметры")
    comment = models.TextField("что изменено", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="автор",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)

    class Meta:
        verbose_name = "версия методики"
        verbose_name_plural = "версии методик"
        ordering = ["methodology", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "number"],
                name="%(app_label)s_%(class)s_unique_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.methodology}, версия {self.number}"


class IdentificationRun(BackgroundWork):
    """One run of identification: its parameters, data fingerprint and results, never changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "выполняется"
        DONE = "done", "готово"
        FAILED = "failed", "ошибка"

    WORKING = (Status.RUNNING,)
    QUEUED = (Status.QUEUED,)

    target_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="учебный год выявления",
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="identification_runs", verbose_name="муниципалитеты"
    )
    version = models.ForeignKey(
        MethodologyVersion,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name="методика",
    )
    params = models.JSONField("параметры (снимок)")
    only_accepted = models.BooleanField("только принятые отчёты", default=False)
    years_used = models.JSONField("использованные годы", default=dict)
    fingerprint = models.CharField(
        "отпечаток входных данных", max_length=64, blank=True
    )
    status = models.CharField(
        "состояние", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    messages = models.JSONField("сообщения", default=list)
    readiness = models.JSONField("готовность данных", default=dict)
    summary = models.JSONField("итог", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="запустил",
    )
    created_at = models.DateTimeField("запущен", auto_now_add=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta(BackgroundWork.Meta):
        verbose_name = "выявление"
        verbose_name_plural = "выявления"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Выявление № {self.pk} на {self.target_year}"

    def get_absolute_url(self) -> str:
        return reverse("identification:run-detail", args=[self.pk])

    @property
    def choice_label(self) -> str:
        """How a run is offered as a base for comparison: number, year, methodology, day."""
        moment = timezone.localtime(self.finished_at or self.created_at)
        return (
            f"№ {self.pk} на {self.target_year} — «{self.version.methodology}», "
            f"{formatting.day(moment)}"
        )

    @classmethod
    def reason_fields(cls, reason: str) -> dict[str, Any]:
        return {"messages": [reason]}

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @cached_property
    def parameters(self) -> Params:
        """The run's parameter snapshot, typed (completed with the defaults)."""
        return Params.of(self.params)


STATUS_CHOICES = [
    (s, s)
    for s in (STATUS_SHNOR, STATUS_SHNSU, STATUS_BOTH, STATUS_NONE, STATUS_NO_DATA)
]


class SchoolResult(models.Model):
    """A school's computed status in a run."""

    run = models.ForeignKey(
        IdentificationRun,
        on_delete=models.CASCADE,
        related_name="school_results",
        db_index=False,
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("статус", max_length=20, choices=STATUS_CHOICES)
    shnor = models.BooleanField("ШНОР", default=False)
    shnsu = models.BooleanField("ШНСУ", default=False)

    class Meta:
        verbose_name = "результат школы"
        verbose_name_plural = "результаты школ"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "school"], name="%(app_label)s_%(class)s_one_per_school"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.status}"


class CriterionResult(models.Model):
    """
    One criterion of one school in a run: its state and numbers.

    The explanation and the components live in RunDetail (compressed per
    municipality): a country-wide run has half a million of them.
    """

    # A country-wide run writes half a million rows in one go: its one index is
    # the key (run, school, criterion), which serves every lookup and grows at
    # its end as the rows come in that order; the keys are not checked by the
    # database row by row — the rows are written only by services.store from
    # the run's own schools, and Django still cascades and protects on delete.
    pk = models.CompositePrimaryKey("run", "school", "criterion")
    run = models.ForeignKey(
        IdentificationRun,
        on_delete=models.CASCADE,
        related_name="criterion_results",
        db_index=False,
        db_constraint=False,
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    criterion = models.CharField("критерий", max_length=4)
    state = models.CharField(
        "состояние", max_length=20, choices=list(STATE_LABELS.items())
    )
    value = models.FloatField("значение", null=True, blank=True)
    threshold = models.FloatField("порог", null=True, blank=True)
    rank = models.PositiveIntegerField("место", null=True, blank=True)
    margin = models.FloatField("запас до порога", null=True, blank=True)

    class Meta:
        verbose_name = "критерий школы"
        verbose_name_plural = "критерии школ"

    def __str__(self) -> str:
        return f"{self.school}: {self.criterion} {self.state}"


class RunDetail(models.Model):
    """The explanations and components of a run's criteria for one municipality (zlib JSON)."""

    run = models.ForeignKey(
        IdentificationRun,
        on_delete=models.CASCADE,
        related_name="details",
        db_index=False,
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.BinaryField("объяснения и составляющие")

    class Meta:
        verbose_name = "объяснения выявления"
        verbose_name_plural = "объяснения выявлений"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "municipality"],
                name="%(app_label)s_%(class)s_one_per_municipality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.municipality}"


class StatusOverride(models.Model):
    """An analyst's decision to set a school's status for a year, with a reason."""

    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="status_overrides",
        verbose_name="школа",
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="учебный год",
    )
    status = models.CharField(
        "статус по решению", max_length=20, choices=STATUS_CHOICES[:4]
    )
    reason = models.TextField("основание")
    is_active = models.BooleanField("действует", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="кто",
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "решение о статусе"
        verbose_name_plural = "решения о статусе"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message="У школы уже есть действующее решение о статусе на этот год.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}, {self.year}: {self.status}"


class OfficialList(models.Model):
    """The approved list of ШНОР/ШНСУ of a municipality for a year (one current at a time)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="official_lists",
        verbose_name="муниципалитет",
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="official_lists",
        verbose_name="учебный год",
    )
    run = models.ForeignKey(
        IdentificationRun,
        on_delete=models.PROTECT,
        related_name="official_lists",
        verbose_name="выявление",
    )
    order_number = models.CharField("номер приказа", max_length=50)
    order_date = models.DateField("дата приказа")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="утвердил",
    )
    approved_at = models.DateTimeField("утверждён", auto_now_add=True)
    superseded_at = models.DateTimeField("заменён", null=True, blank=True)

    class Meta:
        verbose_name = "утверждённый список"
        verbose_name_plural = "утверждённые списки"
        ordering = ["-approved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"],
                condition=Q(superseded_at__isnull=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message="У муниципалитета уже есть действующий утверждённый список на этот год.",
            ),
        ]

    def __str__(self) -> str:
        return f"Список {self.municipality}, {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("identification:list-detail", args=[self.pk])

    @property
    def order_label(self) -> str:
        return f"приказ № {self.order_number} от {self.order_date:%d.%m.%Y}"


class OfficialEntry(models.Model):
    """A school of an approved list: its final status and why."""

    official_list = models.ForeignKey(
        OfficialList, on_delete=models.CASCADE, related_name="entries"
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="official_entries",
        verbose_name="школа",
    )
    status = models.CharField("статус", max_length=20, choices=STATUS_CHOICES)
    computed_status = models.CharField(
        "рассчитанный статус", max_length=20, choices=STATUS_CHOICES
    )
    override_reason = models.TextField("основание решения", blank=True)
    reasons = models.TextField("причины")

    class Meta:
        verbose_name = "школа утверждённого списка"
        verbose_name_plural = "школы утверждённого списка"
        ordering = ["school__short_name"]

    def __str__(self) -> str:
        return f"{self.school}: {self.status}"
