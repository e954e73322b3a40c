"""Partnerships of schools; the gradation of schools by result level that partnerships start from."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from schools.models import Municipality, RecordedChange

from . import gradation


class GradationScale(models.Model):
    """How a municipality cuts the composite result index into high / middle / low bands."""

    METHODS = [
        (gradation.SHARE, "по доле школ (%)"),
        (gradation.VALUE, "по значению индекса"),
    ]

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="gradation_scale",
        verbose_name="муниципалитет",
    )
    method = models.CharField(
        "способ деления", max_length=10, choices=METHODS, default=gradation.SHARE
    )
    low = models.FloatField(
        "граница низкого уровня",
        default=25,
        help_text="Доля школ с самыми низкими значениями, % — или значение индекса, ниже которого уровень низкий.",
    )
    high = models.FloatField(
        "граница высокого уровня",
        default=25,
        help_text="Доля школ с самыми высокими значениями, % — или значение индекса, начиная с которого уровень высокий.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="изменил",
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "градация школ"
        verbose_name_plural = "градации школ"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="value")
                | models.Q(low__gte=0, high__gte=0, low__lte=100, high__lte=100),
                name="%(app_label)s_%(class)s_shares_in_range",
                violation_error_message="Границы уровней — доли от 0 до 100 %%.",
            ),
        ]

    def __str__(self) -> str:
        return f"Градация: {self.municipality}"

    @property
    def description(self) -> str:
        if self.method == gradation.VALUE:
            return f"низкий — индекс ниже {self.low:g}, высокий — {self.high:g} и выше".replace(
                ".", ","
            )
        return f"низкий — {self.low:g} % школ с самыми низкими значениями, высокий — {self.high:g} % с самыми высокими".replace(
            ".", ","
        )


class Campaign(models.Model):
    """A municipality's partnership round for a school year: deadlines (seed 000: 25.11 and 30.11), capacity, rules."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="partnership_campaigns",
        verbose_name="муниципалитет",
    )
    year = models.ForeignKey(
        "schools.AcademicYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="учебный год",
    )
    plan_deadline = models.DateField(
        "срок планов взаимодействия",
        help_text="Обычно до 25.11: школы готовят планы и направляют в МИМЦ.",
    )
    general_plan_deadline = models.DateField(
        "срок общего плана",
        help_text="Обычно до 30.11: МИМЦ направляет общий план в управление образования.",
    )
    capacity = models.PositiveSmallIntegerField(
        "школ на одного партнёра, не больше", default=2
    )
    allow_outside = models.BooleanField(
        "разрешить партнёров из других муниципалитетов", default=False
    )
    events_target = models.PositiveSmallIntegerField(
        "мероприятий обмена опытом в год, не меньше", default=4
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "партнёрство: кампания года"
        verbose_name_plural = "партнёрство: кампании"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"],
                name="%(app_label)s_%(class)s_one_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"Партнёрство {self.municipality}, {self.year}"


class Partnership(models.Model):
    """A school with weak positions and its partner among the schools with high positions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "готовится"
        PROPOSED = "proposed", "предложено партнёру"
        DECLINED = "declined", "партнёр отказался"
        ACCEPTED = "accepted", "партнёр согласен, план готовится"
        SUBMITTED = "submitted", "план на согласовании в МИМЦ"
        RETURNED = "returned", "план возвращён с замечаниями"
        APPROVED = "approved", "план согласован"

    SUPPORT = [
        ("expert", "экспертная"),
        ("methodological", "методическая"),
        ("organisational", "организационная"),
    ]

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name="кампания",
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="partnerships_as_weak",
        verbose_name="школа",
    )
    partner = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="partnerships_as_partner",
        verbose_name="школа-партнёр",
    )
    status = models.CharField(
        "состояние", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    support = models.JSONField("поддержка", default=list)
    goals = models.TextField("цели", blank=True)
    decline_reason = models.TextField("причина отказа", blank=True)
    return_comment = models.TextField("замечания МИМЦ", blank=True)
    submitted_at = models.DateTimeField("план направлен", null=True, blank=True)
    is_late = models.BooleanField("после срока", default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="согласовал",
    )
    approved_at = models.DateTimeField("согласован", null=True, blank=True)
    agreement_number = models.CharField("номер соглашения", max_length=50, blank=True)
    agreement_date = models.DateField("дата соглашения", null=True, blank=True)
    agreement_until = models.DateField(
        "срок действия соглашения", null=True, blank=True
    )
    agreement_scan = models.FileField(
        "скан соглашения", upload_to="partnerships/agreements/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(bases=[RecordedChange])

    class Meta:
        verbose_name = "партнёрство"
        verbose_name_plural = "партнёрства"
        ordering = ["school__short_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(school=models.F("partner")),
                name="%(app_label)s_%(class)s_not_with_itself",
                violation_error_message="Школа не может быть партнёром самой себе.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.short_name} — {self.partner.short_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partnerships:detail", args=[self.pk])

    @property
    def late_note(self) -> str:
        return " — после срока, это будет видно МИМЦ" if self.is_late else ""

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def plan_editable(self) -> bool:
        return self.status in (
            self.Status.DRAFT,
            self.Status.ACCEPTED,
            self.Status.RETURNED,
        )

    @property
    def support_labels(self) -> list[str]:
        names = dict(self.SUPPORT)
        return [names[s] for s in self.support if s in names]


class Activity(models.Model):
    """A planned activity of the interaction plan."""

    class Form(models.TextChoices):
        SEMINAR = "seminar", "семинар"
        OPEN_LESSONS = "open_lessons", "открытые уроки"
        CONSULTATION = "consultation", "консультация"
        MENTORING = "mentoring", "наставничество (тьюторство) учителей"
        JOINT_MO = "joint_mo", "совместное методобъединение"
        INTERNSHIP = "internship", "стажировка"
        OTHER = "other", "другое"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField("мероприятие", max_length=500)
    form = models.CharField("форма", max_length=15, choices=Form.choices)
    start = models.DateField("с")
    end = models.DateField("по")
    responsible_school = models.CharField("ответственный от школы", max_length=300)
    responsible_partner = models.CharField("ответственный от партнёра", max_length=300)
    expected_result = models.TextField("ожидаемый результат", blank=True)

    history = HistoricalRecords(bases=[RecordedChange])

    class Meta:
        verbose_name = "мероприятие плана взаимодействия"
        verbose_name_plural = "мероприятия плана взаимодействия"
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="Окончание мероприятия раньше начала: проверьте даты.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """What actually happened: an exchange event held under the partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="events"
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="по плану",
    )
    date = models.DateField("дата")
    participants = models.PositiveIntegerField("участников")
    report = models.TextField("кратко: что сделано")
    materials_url = models.URLField("материалы (ссылка)", max_length=1000, blank=True)
    materials_file = models.FileField(
        "материалы (файл)", upload_to="partnerships/events/", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "проведённое мероприятие"
        verbose_name_plural = "проведённые мероприятия"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {self.report[:60]}"


class Suggestion(models.Model):
    """A partner the МИМЦ suggests to a school (the school still chooses), with the reason."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="suggestions"
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField("почему")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school"],
                name="%(app_label)s_%(class)s_one_per_school",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} → {self.partner}"


class GeneralPlan(models.Model):
    """The municipality's general interaction plan, compiled from the approved plans and approved by the department."""

    class Status(models.TextChoices):
        COMPILED = "compiled", "составлен"
        SUBMITTED = "submitted", "направлен в управление образования"
        APPROVED = "approved", "утверждён"

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="general_plan"
    )
    status = models.CharField(
        "состояние", max_length=10, choices=Status.choices, default=Status.COMPILED
    )
    compiled_at = models.DateTimeField("составлен")
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rows = models.JSONField("мероприятия (снимок)", default=list)
    submitted_at = models.DateTimeField("направлен", null=True, blank=True)
    order_number = models.CharField("номер приказа", max_length=50, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "общий план взаимодействия"
        verbose_name_plural = "общие планы взаимодействия"

    def __str__(self) -> str:
        return f"Общий план взаимодействия: {self.campaign}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partnerships:general-plan", args=[self.campaign_id])

    @property
    def order_label(self) -> str:
        return (
            f"приказ № {self.order_number} от {self.order_date:%d.%m.%Y}"
            if self.order_number and self.order_date
            else ""
        )
