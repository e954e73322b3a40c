from __future__ import annotations

from typing import Any

from django import forms

from . import gradation
from .models import GradationScale


class GradationScaleForm(forms.ModelForm):
    class Meta:
        model = GradationScale
        fields = ["method", "low", "high"]
        localized_fields = ["low", "high"]
        widgets = {"method": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        method, low, high = data.get("method"), data.get("low"), data.get("high")
        if low is None or high is None:
            return data
        if method == gradation.SHARE:
            if not (0 <= low <= 100 and 0 <= high <= 100):
                raise forms.ValidationError("Доли школ задаются в процентах: от 0 до 100.")
            if low + high > 100:
                raise forms.ValidationError("Низкий и высокий уровни вместе не могут занять больше 100 % школ.")
        elif low > high:
            raise forms.ValidationError("Граница низкого уровня должна быть не больше границы высокого.")
        return data
