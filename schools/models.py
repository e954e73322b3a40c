"""The registry: regions, municipalities, schools, school years, and people."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# ФИС ОКО login: `sch` + 2-digit region code + school number; `ksh` for regional
# state schools; `edu` is the same login as written in 2022 exports.
SCHOOL_CODE_RE = re.compile(r"^(sch|edu|ksh)\d{6,8}$")
STORED_SCHOOL_CODE_RE = r"^(sch|ksh)\d{6,8}$"
INN_RE = r"^\d{10}$"


def normalize_school_code(value: str) -> str:
    """Return a ФИС ОКО login in its stored form: lower case, `edu…` as `sch…`."""
    code = value.strip().lower()
    if code.startswith("edu"):
        code = "sch" + code[3:]
    return code


class Region(models.Model):
    """A subject of the Russian Federation (e.g. Красноярский край, code 24)."""

    name = models.CharField("наименование", max_length=200, unique=True)
    code = models.CharField(
        "код региона",
        max_length=2,
        unique=True,
        validators=[
            RegexValidator(r"^\d{2}$", "Код региона — две цифры, например 24.")
        ],
        help_text="Две цифры, как в логинах ФИС ОКО (sch24…).",
    )

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipal district or city district of a region."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name="регион",
    )
    name = models.CharField("наименование", max_length=200)
    hide_small_shares = models.BooleanField(
        "скрывать доли на малых выборках от других школ",
        default=False,
        help_text="Доли, посчитанные меньше чем на 10 обучающихся, не видны операторам других школ "
        "(например, школе-партнёру): по ним можно узнать конкретных детей.",
    )

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A general-education organisation (ОО) of a municipality."""

    class Type(models.TextChoices):
        NOSH = "НОШ", "НОШ (начальная)"
        OOSH = "ООШ", "ООШ (основная)"
        SOSH = "СОШ", "СОШ (средняя)"
        GYMNASIUM = "Гимназия", "Гимназия"
        LYCEUM = "Лицей", "Лицей"
        BOARDING = "Школа-интернат", "Школа-интернат"
        OTHER = "Другое", "Другое"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name="муниципалитет",
    )
    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    code = models.CharField(
        "код ОО (логин ФИС ОКО)",
        max_length=11,
        unique=True,
        validators=[
            RegexValidator(
                STORED_SCHOOL_CODE_RE,
                "Код ОО — логин ФИС ОКО: sch (или ksh) и 6–8 цифр, например sch241001.",
            )
        ],
        help_text="Логин ФИС ОКО: sch и 6–8 цифр (первые две — код региона).",
    )
    inn = models.CharField(
        "ИНН",
        max_length=10,
        blank=True,
        validators=[RegexValidator(INN_RE, "ИНН организации — ровно 10 цифр.")],
    )
    oge_code = models.CharField(
        "код ОГЭ",
        max_length=20,
        blank=True,
        help_text="Код ОО в региональных таблицах ОГЭ (РЦОИ), если отличается.",
    )
    ege_code = models.CharField(
        "код ЕГЭ",
        max_length=20,
        blank=True,
        help_text="Код ОО в региональных таблицах ЕГЭ (РЦОИ), если отличается.",
    )
    school_type = models.CharField("тип ОО", max_length=20, choices=Type.choices)
    is_rural = models.BooleanField("сельская", default=False)
    distance_km = models.DecimalField(
        "удалённость от муниципального центра, км",
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0, "Удалённость не может быть отрицательной.")],
    )
    settlement = models.CharField(
        "населённый пункт",
        max_length=200,
        blank=True,
        help_text="Например: г. Лесосибирск, п. Стрелка. Нужен для подбора школ-партнёров поблизости.",
    )
    latitude = models.DecimalField(
        "широта",
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "долгота",
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Координаты необязательны: с ними расстояние между школами считается в километрах.",
    )
    is_active = models.BooleanField(
        "действующая",
        default=True,
        help_text="Снимите отметку вместо удаления: данные школы сохраняются.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["municipality__name", "short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(distance_km__gte=0),
                name="%(app_label)s_%(class)s_distance_non_negative",
                violation_error_message="Удалённость не может быть отрицательной.",
            ),
        ]
        indexes = [models.Index(fields=["inn"]), models.Index(fields=["short_name"])]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("schools:school-detail", args=[self.pk])

    @property
    def region_code(self) -> str:
        """Return the two region digits of the ФИС ОКО login."""
        return self.code[3:5]

    @property
    def teaches_senior_grades(self) -> bool:
        """Return whether the school has grades 10–11 (and so sits ЕГЭ)."""
        return self.school_type not in {self.Type.NOSH, self.Type.OOSH}

    def clean(self) -> None:
        self.code = normalize_school_code(self.code or "")
        if self.municipality_id and self.code and SCHOOL_CODE_RE.match(self.code):
            region_code = self.municipality.region.code
            if self.code[3:5] != region_code:
                raise ValidationError(
                    {
                        "code": (
                            f"Логин {self.code} относится к региону {self.code[3:5]}, "
                            f"а муниципалитет — к региону {region_code}."
                        )
                    }
                )


class AcademicYear(models.Model):
    """A school year such as 2020/2021, exactly one of which is current."""

    start_year = models.PositiveSmallIntegerField(
        "год начала",
        unique=True,
        validators=[MinValueValidator(2000, "Год начала — не раньше 2000.")],
    )
    start_date = models.DateField("дата начала")
    end_date = models.DateField("дата окончания")
    is_current = models.BooleanField("текущий", default=False)

    # Who made which year current, and when: the whole portal follows it.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message="Текущим может быть только один учебный год.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="Учебный год должен заканчиваться позже, чем начинается.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """Return the year as schools write it: `2020/2021`."""
        return f"{self.start_year}/{self.start_year + 1}"

    @staticmethod
    def default_dates(start_year: int) -> tuple[dt.date, dt.date]:
        """Return the usual 1 September – 31 August span of a school year."""
        return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)

    @staticmethod
    def parse_name(value: str) -> int:
        """Return the start year of `2020/2021`; raise ValidationError otherwise."""
        match = re.fullmatch(r"\s*(\d{4})\s*/\s*(\d{4})\s*", value or "")
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValidationError(f"«{value}» — не учебный год; пишите так: 2020/2021.")
        return int(match[1])

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError(
                {"end_date": "Дата окончания должна быть позже даты начала."}
            )
        if (
            self.start_date
            and self.start_year
            and self.start_date.year != self.start_year
        ):
            raise ValidationError(
                {
                    "start_date": f"Учебный год {self.name} начинается в {self.start_year} году."
                }
            )


class User(AbstractUser):
    """A person of the portal with one role and the scope that role works in."""

    class Role(models.TextChoices):
        OPERATOR = "operator", "Оператор школы"
        ANALYST = "analyst", "Аналитик МИМЦ"
        APPROVER = "approver", "Управление образования"
        ADMINISTRATOR = "admin", "Администратор"

    middle_name = models.CharField("отчество", max_length=150, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    role = models.CharField(
        "роль", max_length=20, choices=Role.choices, default=Role.OPERATOR
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="регион",
        help_text="Только для аналитика регионального уровня.",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="муниципалитет",
    )
    schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="operators",
        verbose_name="школы",
    )

    # Who granted which scope, and when: access changes are audited.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=[schools]
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["analyst", "approver"])
                | Q(region__isnull=True, municipality__isnull=False)
                | Q(region__isnull=False, municipality__isnull=True),
                name="%(app_label)s_%(class)s_staff_has_one_scope",
                violation_error_message="Аналитику и управлению образования укажите муниципалитет или регион — что-то одно.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["analyst", "approver"])
                | Q(region__isnull=True, municipality__isnull=True),
                name="%(app_label)s_%(class)s_scope_only_for_staff",
                violation_error_message="Муниципалитет и регион указывают только аналитику и управлению образования.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Return «Фамилия Имя Отчество», or the login when no name is known."""
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p) or self.username

    @property
    def short_display_name(self) -> str:
        """Return «Фамилия И. О.» for tight places such as the menu bar."""
        initials = " ".join(
            f"{n[0]}." for n in (self.first_name, self.middle_name) if n
        )
        return (
            f"{self.last_name} {initials}".strip() if self.last_name else self.username
        )

    @property
    def scope_label(self) -> str:
        """Return a short Russian description of what the person works with."""
        if self.role == self.Role.ADMINISTRATOR or self.is_superuser:
            return "весь портал"
        if self.municipality_id:
            return str(self.municipality)
        if self.region_id:
            return f"{self.region} (весь регион)"
        names = [s.short_name for s in self.schools.all()]
        return ", ".join(names) or "школы не назначены"


class AuditEvent(models.Model):
    """
    One line of the append-only audit log: who did what, to whom, from where.

    Rows are only ever added (`schools.audit.record`): the model refuses
    updates and deletes, and on PostgreSQL a trigger refuses them too.
    """

    class Event(models.TextChoices):
        LOGIN = "login", "вход"
        LOGIN_FAILED = "login_failed", "неудачный вход"
        LOCKOUT = "lockout", "блокировка после неудачных попыток"
        UNLOCKED = "unlocked", "блокировка снята"
        ACCESS_CHANGED = "access_changed", "роль или область работы изменены"
        PASSWORD_SET = "password_set", "пароль задан администратором"
        PASSWORD_RESET = "password_reset", "запрошена ссылка для установки пароля"
        OTP_ENABLED = "otp_enabled", "второй фактор включён"
        OTP_RESET = "otp_reset", "второй фактор сброшен"
        APPROVAL = "approval", "утверждение"
        OVERRIDE = "override", "решение о статусе школы"
        IMPORT = "import", "загрузка файла"
        EXPORT = "export", "выгрузка данных"
        JOB_RESTART = "job_restart", "перезапуск прерванной обработки"

    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    event = models.CharField("событие", max_length=20, choices=Event.choices)
    # The log outlives what it names: no cascade ever touches a line.
    actor = models.ForeignKey(
        "schools.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто",
    )
    actor_name = models.CharField("кто (логин)", max_length=150, blank=True)
    address = models.CharField("адрес", max_length=45, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="муниципалитет",
    )
    target = models.CharField("что или кого", max_length=300, blank=True)
    detail = models.TextField("подробности", blank=True)

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["municipality", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor_name}: {self.get_event_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError(
                "Журнал действий не изменяют: записи только добавляются."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError("Записи журнала действий не удаляют.")


class BackgroundWork(models.Model):
    """
    What a background job needs to outlive a lost worker (schools.jobs): the
    attempt a queued task belongs to, the worker's last sign of life, and when
    the job was found interrupted — then it can be restarted.
    """

    status: str  # each job declares its own states; "failed" is common to all
    WORKING: tuple[str, ...] = ()  # states in which a worker holds the job
    QUEUED: tuple[str, ...] = ()  # states in which the job waits for a worker
    attempt = models.PositiveIntegerField("попытка", default=0)
    heartbeat_at = models.DateTimeField(
        "последний признак работы", null=True, blank=True
    )
    interrupted_at = models.DateTimeField("прервано", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def can_restart(self) -> bool:
        return self.interrupted_at is not None

    @classmethod
    def reason_fields(cls, reason: str) -> dict[str, Any]:
        """The field values that show a failure's reason to the person."""
        raise NotImplementedError


class StoredFile(models.Model):
    """An uploaded file kept in the database (schools.storage.DatabaseStorage)."""

    name = models.CharField("имя", max_length=500, unique=True)
    content = models.BinaryField("содержимое")
    size = models.PositiveBigIntegerField("размер, байт")
    created_at = models.DateTimeField("сохранён")

    class Meta:
        verbose_name = "хранимый файл"
        verbose_name_plural = "хранимые файлы"

    def __str__(self) -> str:
        return self.name


class RecordedChange(models.Model):
    """
    The fields a historical record adds (simple-history `bases`): what a
    change of an approved document changed (schools.history).
    """

    changes = models.JSONField("что изменено", default=list, blank=True)

    class Meta:
        abstract = True


class Notice(models.Model):
    """
    A notification in the portal: a document came back with a reason, was
    accepted or approved, a deadline is near or has passed. Read or unread;
    e-mailed at once or in the daily digest as the person chose.
    """

    class Kind(models.TextChoices):
        RETURNED = "returned", "возвращено на доработку"
        ACCEPTED = "accepted", "принято"
        APPROVED = "approved", "утверждено"
        DUE_SOON = "due_soon", "срок через 3 дня"
        OVERDUE = "overdue", "срок прошёл"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("вид", max_length=10, choices=Kind.choices)
    title = models.CharField("заголовок", max_length=300)
    text = models.TextField("текст", blank=True)
    url = models.CharField("ссылка", max_length=500, blank=True)
    # A deadline is told once per object and date: the key makes it so.
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    emailed_at = models.DateTimeField("отправлено письмом", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~Q(key=""),
                name="%(app_label)s_%(class)s_once_per_key",
                violation_error_message="Это уведомление уже отправлено.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NoticeSetting(models.Model):
    """How a person wants one kind of notification by e-mail."""

    class Channel(models.TextChoices):
        INSTANT = "instant", "письмом сразу"
        DIGEST = "digest", "в ежедневной сводке"
        NONE = "none", "только на портале"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notice_settings"
    )
    kind = models.CharField("вид", max_length=10, choices=Notice.Kind.choices)
    channel = models.CharField("письмо", max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = "настройка уведомлений"
        verbose_name_plural = "настройки уведомлений"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="%(app_label)s_%(class)s_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} — {self.get_channel_display()}"
