"""Partnerships of schools; the gradation of schools by result level that partnerships start from."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from schools.models import Municipality

from . import gradation


class GradationScale(models.Model):
    """How a municipality cuts the composite result index into high / middle / low bands."""

    METHODS = [(gradation.SHARE, "по доле школ (%)"), (gradation.VALUE, "по значению индекса")]

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="gradation_scale", verbose_name="муниципалитет")
    method = models.CharField("способ деления", max_length=10, choices=METHODS, default=gradation.SHARE)
    low = models.FloatField("граница низкого уровня", default=25, help_text="Доля школ с самыми низкими значениями, % — или значение индекса, ниже которого уровень низкий.")
    high = models.FloatField("граница высокого уровня", default=25, help_text="Доля школ с самыми высокими значениями, % — или значение индекса, начиная с которого уровень высокий.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="изменил")
    updated_at = models.DateTimeField("изменено", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "градация школ"
        verbose_name_plural = "градации школ"
        constraints = [
            models.CheckConstraint(condition=models.Q(method="value") | models.Q(low__gte=0, high__gte=0, low__lte=100, high__lte=100), name="%(app_label)s_%(class)s_shares_in_range"),
        ]

    def __str__(self) -> str:
        return f"Градация: {self.municipality}"

    @property
    def description(self) -> str:
        if self.method == gradation.VALUE:
            return f"низкий — индекс ниже {self.low:g}, высокий — {self.high:g} и выше".replace(".", ",")
        return f"низкий — {self.low:g} % школ с самыми низкими значениями, высокий — {self.high:g} % с самыми высокими".replace(".", ",")

