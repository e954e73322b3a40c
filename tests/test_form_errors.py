"""A form with errors says nothing was saved and lists every problem with a link to its field."""

import pytest
from django import forms
from django.template.loader import render_to_string


class TwoFields(forms.Form):
    number = forms.CharField(label="Номер приказа")
    date = forms.DateField(label="Дата приказа")

    def clean(self):
        raise forms.ValidationError("Приказ с таким номером уже есть.")


@pytest.mark.django_db
def test_the_summary_says_nothing_was_saved_and_links_each_field():
    form = TwoFields({"number": "", "date": "31.02.2021"})
    assert not form.is_valid()
    html = render_to_string("_partials/form_errors.html", {"form": form})
    assert "Ничего не сохранено." in html
    assert "сохранены в полях" not in html
    assert 'href="#id_number"' in html
    assert "Номер приказа</a>: Обязательное поле." in html
    assert 'href="#id_date"' in html
    assert "Приказ с таким номером уже есть." in html
