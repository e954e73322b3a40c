"""
What each school reports per school year, and the workflow around it.

A Report is one school's one kind of data for one year (school × year × kind);
its figures live in the data model of that kind (one row, or result rows for
assessments). Empty figures (NULL) mean "not collected", never 0. Field labels
are the data package's column headers (formats.md §1), so forms, imports and
exports speak the same words.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from schools.models import AcademicYear, BackgroundWork, Municipality, School


def count_field(label: str, help_text: str = "") -> models.PositiveIntegerField:
    """Return a nullable head-count field (NULL = not collected)."""
    return models.PositiveIntegerField(
        label, null=True, blank=True, help_text=help_text
    )


def mean_percent_field() -> models.DecimalField:
    """
    Return the nullable mean % of the maximum primary score: the scale L3
    compares ОГЭ and ВПР on (methodology §9 R3), when the source gives it.
    """
    return models.DecimalField(
        "Средний процент выполнения (от максимального первичного балла)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


def mean_percent_in_range() -> models.CheckConstraint:
    """Return the check that a mean % of the maximum lies within 0–100 (or is empty)."""
    return models.CheckConstraint(
        condition=Q(mean_percent__isnull=True)
        | Q(mean_percent__gte=0, mean_percent__lte=100),
        name="%(app_label)s_%(class)s_mean_percent_in_range",
        violation_error_message=(
            "Средний процент выполнения — от 0 до 100 %% максимального первичного балла."
        ),
    )


# The subject dictionary as shipped (migration 0002 seeds the same list).
DEFAULT_SUBJECTS = [
    ("русский язык", "РУ"),
    ("математика", "МА"),
    ("окружающий мир", "ОМ"),
    ("биология", "БИ"),
    ("география", "ГЕ"),
    ("история", "ИС"),
    ("обществознание", "ОБ"),
    ("физика", "ФИ"),
    ("химия", "ХИ"),
    ("информатика", "ИН"),
    ("литература", "ЛИ"),
    ("английский язык", "АЯ"),
    ("немецкий язык", "НЯ"),
    ("французский язык", "ФЯ"),
]


class SubjectQuerySet(models.QuerySet):
    def ensure_defaults(self) -> None:
        """Create the shipped subjects that are missing (a flushed test database)."""
        have = set(self.values_list("name", flat=True))
        self.bulk_create(
            Subject(name=name, short=short, order=order)
            for order, (name, short) in enumerate(DEFAULT_SUBJECTS, start=1)
            if name not in have
        )


class Subject(models.Model):
    """A school subject from the dictionary (русский язык, математика, …)."""

    name = models.CharField("предмет", max_length=100, unique=True)
    short = models.CharField("сокращение", max_length=10, blank=True)
    order = models.PositiveSmallIntegerField("порядок", default=100)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ReportKind(models.TextChoices):
    RESULTS = "results", "Результаты оценочных процедур"
    STAFFING = "staffing", "Кадры"
    SOCIAL = "social", "Социальный паспорт"
    RESOURCES = "resources", "Ресурсы"
    OUTCOMES = "outcomes", "Результативность"


class Campaign(models.Model):
    """A municipality's collection of reports for a school year, with a deadline."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name="муниципалитет",
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name="учебный год (данные за)",
    )
    title = models.CharField("название", max_length=300)
    kinds = models.JSONField("собираемые отчёты", default=list)
    deadline = models.DateField("срок сдачи")
    order_number = models.CharField("номер приказа", max_length=50)
    order_date = models.DateField("дата приказа")
    # The collection's state (monitoring.workflows.CAMPAIGN): open or closed.
    is_open = models.BooleanField(
        "сбор открыт", default=True, choices=[(True, "идёт сбор"), (False, "закрыт")]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="кем создана",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "кампания мониторинга"
        verbose_name_plural = "кампании мониторинга"
        ordering = ["-year__start_year", "-deadline"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:campaign-detail", args=[self.pk])

    @property
    def order_label(self) -> str:
        """Return the approving order as the seeds write it: «приказ № 107 от 23.09.2020»."""
        return f"приказ № {self.order_number} от {self.order_date:%d.%m.%Y}"

    @property
    def kind_labels(self) -> list[str]:
        return [ReportKind(k).label for k in self.kinds]


class Report(models.Model):
    """One school's report of one kind for one school year, with its workflow state."""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        SUBMITTED = "submitted", "на проверке"
        ACCEPTED = "accepted", "принят"
        RETURNED = "returned", "возвращён на доработку"

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="reports", verbose_name="школа"
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name="учебный год",
    )
    kind = models.CharField("отчёт", max_length=20, choices=ReportKind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="кампания",
    )
    status = models.CharField(
        "состояние", max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic locking: every save of the figures increments it; a save that
    # carries an older number is refused instead of overwriting someone's work.
    version = models.PositiveIntegerField("версия", default=0)
    return_reason = models.TextField("причина возврата", blank=True)
    warnings_confirmed = models.BooleanField(
        "предупреждения подтверждены", default=False
    )
    updated_at = models.DateTimeField("изменён", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кем изменён",
    )
    submitted_at = models.DateTimeField("сдан", null=True, blank=True)

    class Meta:
        verbose_name = "отчёт школы"
        verbose_name_plural = "отчёты школ"
        ordering = ["school__short_name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "kind"],
                name="%(app_label)s_%(class)s_one_per_school_year_kind",
            )
        ]
        indexes = [models.Index(fields=["year", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.school} — {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:report-detail", args=[self.pk])

    @property
    def is_started(self) -> bool:
        return self.version > 0

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.ACCEPTED


class ReportEvent(models.Model):
    """A workflow step of a report: who moved it from which state to which, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "сдан на проверку"
        ACCEPT = "accept", "принят"
        RETURN = "return", "возвращён на доработку"
        REOPEN = "reopen", "открыт повторно"
        IMPORT = "import", "загружен из файла"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("действие", max_length=20, choices=Action.choices)
    from_status = models.CharField("из состояния", max_length=20, blank=True)
    to_status = models.CharField("в состояние", max_length=20)
    reason = models.TextField("причина", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="кто",
    )
    at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "событие отчёта"
        verbose_name_plural = "события отчётов"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_action_display()}"


class ReminderLog(models.Model):
    """A deadline reminder sent for a report; automatic ones are sent once each."""

    class Kind(models.TextChoices):
        BEFORE = "before", "за 3 дня до срока"
        AFTER = "after", "на следующий день после срока"
        MANUAL = "manual", "вручную"

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)
    # Who sent a manual reminder (the automatic ones are the portal's).
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=~Q(kind="manual"),
                name="%(app_label)s_%(class)s_automatic_once",
                violation_error_message="Это автоматическое напоминание по отчёту уже отправлено.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_kind_display()}"


# Figures ----------------------------------------------------------------------


class ReportData(models.Model):
    """Base of the one-row reports: the figures of one Report."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="%(class)s", primary_key=True
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.report)


class StaffingData(ReportData):
    """Кадры: teachers working at least 0.5 of a full rate."""

    teachers_total = count_field(
        "Учителей всего", "Учителя, работающие не менее чем на 0,5 ставки."
    )
    under_30 = count_field("Моложе 30 лет")
    pension_age = count_field("Пенсионного возраста")
    experience_under_3 = count_field(
        "Стаж до 3 лет", "Педагогический стаж менее 3 лет."
    )
    highest_category = count_field("Высшая категория")
    first_category = count_field("Первая категория")
    category_confirmed_3y = count_field("Подтвердили или повысили категорию за 3 года")
    overloaded = count_field(
        "Нагрузка 1,5 ставки и более", "Учителя с нагрузкой 1,5 ставки и более."
    )
    contest_participants_3y = count_field(
        "Участники региональных и всероссийских профконкурсов за 3 года"
    )
    not_by_profile = count_field(
        "Ведут предметы не по профилю образования",
        "Учителя, преподающие предмет не по специальности в дипломе.",
    )
    training_3y = count_field(
        "Имеют удостоверение о КПК за 3 года", "Курсы повышения квалификации."
    )
    deficit_diagnostics = count_field("Прошли диагностику профессиональных дефицитов")
    subject_assessment = count_field("Прошли оценку предметных компетенций")
    vacancies = count_field("Вакантных ставок")
    psychologists = count_field("Педагогов-психологов")
    social_pedagogues = count_field("Социальных педагогов")
    speech_therapists = count_field("Учителей-логопедов")
    defectologists = count_field("Учителей-дефектологов")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "кадры"
        verbose_name_plural = "кадры"


class SocialPassportData(ReportData):
    """Социальный паспорт: counts of pupils (not families) in each category."""

    pupils_total = count_field("Обучающихся всего")
    incomplete_families = count_field("Из неполных семей")
    large_families = count_field("Из многодетных семей")
    low_income = count_field("Из малообеспеченных семей")
    both_parents_unemployed = count_field("Оба родителя безработные")
    both_parents_higher_ed = count_field("Оба родителя с высшим образованием")
    poor_housing = count_field("Проживают в неблагоустроенном жилье")
    sop_families = count_field("Из семей в СОП", "Семьи в социально опасном положении.")
    school_register = count_field("На внутришкольном учёте")
    pdn_kdn_register = count_field("На учёте в ПДН/КДН")
    ovz = count_field("С ОВЗ", "С ограниченными возможностями здоровья.")
    disabled_children = count_field("Дети-инвалиды")
    under_guardianship = count_field("Под опекой")
    weak_russian = count_field("Слабо владеют русским языком")
    low_motivation = count_field("С низкой учебной мотивацией")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "социальный паспорт"
        verbose_name_plural = "социальные паспорта"


class ResourcesData(ReportData):
    """Ресурсы: textbook fund, class-sets and computers."""

    textbook_fund = count_field("Фонд учебников, экз.")
    textbooks_recent = count_field(
        "Учебников не старше 3 лет, экз.",
        "Из фонда — изданных не раньше чем 3 года назад.",
    )
    class_sets = count_field("Классов-комплектов")
    student_computers = count_field("Компьютеров для обучающихся")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ресурсы"
        verbose_name_plural = "ресурсы"


class OutcomesData(ReportData):
    """Результативность: continuation, olympiads, year-end marks and НОКО."""

    grade9_graduates = count_field("Выпускников 9 классов")
    continued_grade10 = count_field("Из них продолжили обучение в 10 классе")
    olympiad_participants = count_field(
        "Участников региональных и всероссийских олимпиад и конкурсов"
    )
    attested = count_field("Аттестовано обучающихся", "Получили годовые отметки.")
    attested_good = count_field("Из них на «4» и «5»")
    attested_failing = count_field("Из них неуспевающих")
    noko_satisfaction = models.DecimalField(
        "Удовлетворённость качеством (НОКО), %",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Итоговый процент удовлетворённости по независимой оценке качества; "
        "оставьте пустым, если оценка в этом году не проводилась.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "результативность"
        verbose_name_plural = "результативность"


class Procedure(models.TextChoices):
    VPR = "ВПР", "ВПР"
    OGE = "ОГЭ", "ОГЭ"
    EGE = "ЕГЭ", "ЕГЭ"


class Level(models.TextChoices):
    NONE = "", "—"
    BASE = "базовый", "базовый"
    PROFILE = "профильный", "профильный"


class AssessmentResult(models.Model):
    """A school's result in one procedure (ВПР/ОГЭ/ЕГЭ, subject, grade, level)."""

    # The unique constraint below leads with the report and serves every lookup
    # by report: a second index on it would only slow the imports' writes.
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    procedure = models.CharField("Процедура", max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name="Предмет"
    )
    grade = models.PositiveSmallIntegerField("Класс")
    level = models.CharField(
        "Уровень", max_length=10, choices=Level.choices, blank=True
    )
    participants = count_field("Участников")
    mark2 = count_field("«2»")
    mark3 = count_field("«3»")
    mark4 = count_field("«4»")
    mark5 = count_field("«5»")
    failed_minimum = count_field("Не преодолели минимальный порог")
    mean_score = models.DecimalField(
        "Средний балл", max_digits=5, decimal_places=2, null=True, blank=True
    )
    mean_percent = mean_percent_field()

    # History is read by report (a report's history page), never by subject.
    history = HistoricalRecords(no_db_index=["subject"])

    class Meta:
        verbose_name = "результат оценочной процедуры"
        verbose_name_plural = "результаты оценочных процедур"
        ordering = ["procedure", "grade", "subject__order", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "procedure", "subject", "grade", "level"],
                name="%(app_label)s_%(class)s_one_row_per_procedure",
            ),
            mean_percent_in_range(),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return «ВПР, математика, 5 класс» (with the ЕГЭ level when there is one)."""
        level = f", {self.level}" if self.level else ""
        return (
            f"{self.procedure}, {self.subject.name.lower()}{level}, {self.grade} класс"
        )

    @property
    def uses_marks(self) -> bool:
        """Return whether the result is given as marks (ВПР, ОГЭ, ЕГЭ базовый)."""
        return self.procedure != Procedure.EGE or self.level == Level.BASE

    @property
    def fail_count(self) -> int | None:
        """Return the fail count of the 30 % rule: «2», or below the minimum (ЕГЭ)."""
        return self.mark2 if self.uses_marks else self.failed_minimum


class MarkComparison(models.Model):
    """ВПР marks against journal marks: lowered / confirmed / raised."""

    # Lookups by report use the unique constraint (report, subject, grade).
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="comparisons", db_index=False
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name="Предмет"
    )
    grade = models.PositiveSmallIntegerField("Класс")
    lowered = count_field("Понизили", "ВПР ниже отметки по журналу.")
    confirmed = count_field("Подтвердили", "ВПР равна отметке по журналу.")
    raised = count_field("Повысили", "ВПР выше отметки по журналу.")

    history = HistoricalRecords(no_db_index=["subject"])

    class Meta:
        verbose_name = "сравнение отметок ВПР с журналом"
        verbose_name_plural = "сравнения отметок ВПР с журналом"
        ordering = ["grade", "subject__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "subject", "grade"],
                name="%(app_label)s_%(class)s_one_row_per_subject_grade",
            )
        ]

    def __str__(self) -> str:
        return f"ВПР, {self.subject.name.lower()}, {self.grade} класс"


DATA_MODELS: dict[str, type[ReportData]] = {
    ReportKind.STAFFING: StaffingData,
    ReportKind.SOCIAL: SocialPassportData,
    ReportKind.RESOURCES: ResourcesData,
    ReportKind.OUTCOMES: OutcomesData,
}


class RegionalMean(models.Model):
    """A region's mean result of a procedure in a year: the reference of the gap criteria."""

    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="регион",
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="учебный год",
    )
    procedure = models.CharField("Процедура", max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name="Предмет"
    )
    grade = models.PositiveSmallIntegerField("Класс")
    level = models.CharField(
        "Уровень", max_length=10, choices=Level.choices, blank=True
    )
    mean_score = models.DecimalField(
        "Средний балл", max_digits=5, decimal_places=2, null=True, blank=True
    )
    fail_share = models.DecimalField(
        "Доля «2», %",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    mean_percent = mean_percent_field()

    class Meta:
        verbose_name = "среднее по региону"
        verbose_name_plural = "средние по региону"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "procedure", "subject", "grade", "level"],
                name="%(app_label)s_%(class)s_one_per_procedure",
            ),
            mean_percent_in_range(),
        ]

    def __str__(self) -> str:
        return (
            f"{self.region}, {self.year}: {self.procedure} {self.subject} {self.grade}"
        )


class ImportJob(BackgroundWork):
    """An uploaded file: its check, its preview, its import and their outcome."""

    class Kind(models.TextChoices):
        PACKAGE = "package", "Пакет данных портала (все листы)"
        VPR_PROTOCOL = "vpr_protocol", "ВПР: протокол проведения работы (по участникам)"
        VPR_STATS = "vpr_stats", "ВПР: отчёт «Статистика по отметкам»"
        VPR_COMPARISON = (
            "vpr_comparison",
            "ВПР: отчёт «Сравнение отметок с отметками по журналу»",
        )
        EGE = "ege", "ЕГЭ: результаты выпускников по школам (таблица региона)"
        OGE = "oge", "ОГЭ: результаты по школам"

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        CHECKING = "checking", "проверяется"
        READY = "ready", "проверен — можно загружать"
        INVALID = "invalid", "найдены ошибки — ничего не загружено"
        IMPORTING = "importing", "загружается"
        DONE = "done", "загружен"
        FAILED = "failed", "не загружен"

    WORKING = (Status.CHECKING, Status.IMPORTING)
    QUEUED = (Status.QUEUED,)

    kind = models.CharField("вид файла", max_length=20, choices=Kind.choices)
    status = models.CharField(
        "состояние", max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField("файл", upload_to="imports/%Y/%m/")
    original_name = models.CharField("имя файла", max_length=255)
    size = models.PositiveIntegerField("размер, байт", default=0)
    params = models.JSONField("параметры", default=dict)
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    message = models.TextField("сообщение", blank=True)
    summary = models.JSONField("итог", default=dict)
    issues = models.JSONField("ошибки и предупреждения", default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="загрузил",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="импортировал",
        help_text="Кто нажал «Импортировать»: от его имени записаны данные.",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta(BackgroundWork.Meta):
        verbose_name = "загрузка файла"
        verbose_name_plural = "загрузки файлов"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:import-detail", args=[self.pk])

    @classmethod
    def reason_fields(cls, reason: str) -> dict[str, Any]:
        return {"message": reason}

    @property
    def phase(self) -> str:
        """«import» once «Импортировать» was pressed, «check» before."""
        return "import" if self.imported_by_id else "check"

    @property
    def error_count(self) -> int:
        return sum(not i.get("warning") for i in self.issues)

    @property
    def warning_count(self) -> int:
        return sum(bool(i.get("warning")) for i in self.issues)

    @property
    def is_running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.IMPORTING,
        )
