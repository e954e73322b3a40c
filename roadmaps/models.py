"""
Roadmaps («дорожная карта», «план-график», «план мероприятий»): sections and
items with periods, responsible, expected results and execution information;
their approval, revisions and reminders.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import AcademicYear, Municipality, RecordedChange, School

from . import periods


class Roadmap(models.Model):
    class Level(models.TextChoices):
        MUNICIPAL = "municipal", "муниципальная дорожная карта"
        SCHOOL = "school", "программа школы по повышению качества"

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        ON_APPROVAL = "on_approval", "на утверждении"
        APPROVED = "approved", "утверждена"
        IN_EXECUTION = "in_execution", "исполняется"
        CLOSED = "closed", "закрыта"

    level = models.CharField("уровень", max_length=10, choices=Level.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="roadmaps",
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmaps",
        verbose_name="школа",
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="roadmaps",
        verbose_name="учебный год",
    )
    title = models.CharField("название", max_length=500)
    status = models.CharField(
        "состояние", max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    order_number = models.CharField("номер приказа", max_length=50, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="утвердил",
    )
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    return_comment = models.TextField("замечания при возврате", blank=True)
    summary = models.TextField("итоги исполнения", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="создал",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)

    history = HistoricalRecords(bases=[RecordedChange])

    class Meta:
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        ordering = ["-year__start_year", "level", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="municipal", school__isnull=True)
                | models.Q(level="school", school__isnull=False),
                name="%(app_label)s_%(class)s_school_matches_level",
                violation_error_message="Программа школы называет школу, муниципальная карта — нет.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmaps:detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """Approved and later: items change only through a recorded revision."""
        return self.status in (
            self.Status.APPROVED,
            self.Status.IN_EXECUTION,
            self.Status.CLOSED,
        )

    @property
    def order_label(self) -> str:
        return (
            f"приказ № {self.order_number} от {self.order_date:%d.%m.%Y}"
            if self.order_number and self.order_date
            else ""
        )


class Section(models.Model):
    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    title = models.CharField("раздел", max_length=300)

    class Meta:
        verbose_name = "раздел"
        verbose_name_plural = "разделы"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """One activity of a roadmap."""

    class State(models.TextChoices):
        PLANNED = "planned", "запланировано"
        IN_PROGRESS = "in_progress", "выполняется"
        DONE = "done", "выполнено"
        OVERDUE = "overdue", "просрочено"
        CANCELLED = "cancelled", "отменено"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="раздел",
    )
    number = models.CharField("№", max_length=20)
    title = models.TextField("мероприятие")
    content = models.TextField("содержание", blank=True)
    start = models.DateField("начало")
    end = models.DateField("окончание")
    period_label = models.CharField("срок (как в документе)", max_length=200)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    execution_info = models.TextField("информация об исполнении", blank=True)
    criterion = models.CharField(
        "отвечает на критерий (риск)", max_length=4, blank=True
    )
    done_at = models.DateField("выполнено", null=True, blank=True)
    cancelled_reason = models.TextField("причина отмены", blank=True)
    position = models.PositiveIntegerField("порядок", default=0)

    history = HistoricalRecords(bases=[RecordedChange])

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="Окончание мероприятия раньше начала: проверьте сроки.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("roadmaps:item", args=[self.pk])

    def state_on(self, day: dt.date) -> str:
        """Planned, in progress, done, overdue (past its end, not done) or cancelled — from the dates."""
        if self.cancelled_reason:
            return self.State.CANCELLED
        if self.done_at:
            return self.State.DONE
        if day > self.end:
            return self.State.OVERDUE
        if day >= self.start:
            return self.State.IN_PROGRESS
        return self.State.PLANNED

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    @property
    def period(self) -> str:
        return self.period_label or periods.label(self.start, self.end)


class Responsible(models.Model):
    """Who answers for an item: the department, МИМЦ, a school (its operators) or a person."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "управление (отдел) образования"
        MIMC = "mimc", "МИМЦ"
        SCHOOL = "school", "школа"
        PERSON = "person", "сотрудник"
        OTHER = "other", "другая организация"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="responsible")
    kind = models.CharField("кто", max_length=12, choices=Kind.choices)
    name = models.CharField("как в документе", max_length=300)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="школа",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmap_duties",
        verbose_name="сотрудник",
    )

    class Meta:
        verbose_name = "ответственный"
        verbose_name_plural = "ответственные"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"roadmaps/{instance.item.roadmap_id}/{instance.item_id}/{filename}"


class Evidence(models.Model):
    """A link or an uploaded file that proves an item was carried out."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField("ссылка", max_length=1000, blank=True)
    file = models.FileField("файл", upload_to=evidence_path, blank=True, max_length=300)
    note = models.CharField("что это", max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "подтверждение"
        verbose_name_plural = "подтверждения"
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.note or self.url or self.file.name


class Reminder(models.Model):
    """A reminder about an item sent to a person; each (item, person, kind) once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "срок через 7 дней"
        OVERDUE = "overdue", "просрочено"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "user", "kind"], name="%(app_label)s_%(class)s_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"


class TargetIndicator(models.Model):
    """A target indicator of a roadmap (seed 002): planned and actual values by school year."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="indicators"
    )
    title = models.CharField("показатель", max_length=500)
    unit = models.CharField("единица", max_length=30, blank=True, default="%")
    source = models.CharField("как считается", max_length=40, default="manual")
    planned = models.JSONField("план по годам", default=dict)  # {"2020": 50.0}
    actual = models.JSONField("факт по годам (введён)", default=dict)
    evidence = models.TextField("подтверждение факта", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(bases=[RecordedChange])

    class Meta:
        verbose_name = "целевой показатель"
        verbose_name_plural = "целевые показатели"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
