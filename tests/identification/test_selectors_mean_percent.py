"""The engine's frames carry the mean % of the maximum of results and regional means."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from identification import columns as c
from identification import selectors
from monitoring.models import ReportKind
from schools.models import School
from tests.factories import AcademicYearFactory, subject
from tests.factories.identification import (
    AssessmentResultFactory,
    RegionalMeanFactory,
)
from tests.factories.monitoring import ReportFactory

pytestmark = pytest.mark.django_db


def test_inputs_frame_reads_the_mean_percent_of_results_and_regional_means(school):
    year = AcademicYearFactory(start_year=2020)
    report = ReportFactory(school=school, year=year, kind=ReportKind.RESULTS)
    russian = subject("русский язык")
    AssessmentResultFactory(
        report=report,
        procedure="ОГЭ",
        subject=russian,
        grade=9,
        mean_percent=Decimal("40.00"),
    )
    AssessmentResultFactory(report=report, procedure="ВПР", grade=5)  # no percent
    RegionalMeanFactory(
        region=school.municipality.region,
        year=year,
        procedure="ОГЭ",
        subject=russian,
        grade=9,
        mean_score=Decimal("4.40"),
        mean_percent=Decimal("62.00"),
    )

    inputs = selectors.inputs_frame(
        schools=School.objects.filter(pk=school.pk), target_year=2021
    )

    by_procedure = inputs.results.set_index(c.PROCEDURE)[c.MEAN_PERCENT]
    assert by_procedure["ОГЭ"] == 40.0
    assert math.isnan(by_procedure["ВПР"])
    [regional] = inputs.regional_means[c.MEAN_PERCENT].tolist()
    assert regional == 62.0


@pytest.mark.parametrize("value", [Decimal("-0.01"), Decimal("100.01")])
def test_the_database_refuses_a_mean_percent_outside_0_to_100(school, value):
    year = AcademicYearFactory(start_year=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalMeanFactory(
            region=school.municipality.region, year=year, mean_percent=value
        )


def test_a_mean_percent_over_100_is_told_in_russian(school):
    mean = RegionalMeanFactory.build(
        region=school.municipality.region,
        year=AcademicYearFactory(start_year=2020),
        mean_percent=Decimal("150"),
    )
    with pytest.raises(ValidationError) as caught:
        mean.validate_constraints()
    assert caught.value.messages == [
        "Средний процент выполнения — от 0 до 100 % максимального первичного балла."
    ]
