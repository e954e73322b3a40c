import io

import pytest
from openpyxl import Workbook

from roadmaps import services
from roadmaps.models import Roadmap
from roadmaps.seed004 import ROWS, TITLE
from tests.factories import AcademicYearFactory, SchoolFactory
from tests.factories.roadmaps import seed004_roadmap


@pytest.fixture
def year_2020(db):
    return AcademicYearFactory(start_year=2020)


@pytest.fixture
def year_2021(db):
    return AcademicYearFactory(start_year=2021)


@pytest.fixture
def school_6(municipality):
    """The school seed 004's and the programme's items name: «МБОУ «СОШ № 6»»."""
    return SchoolFactory(
        municipality=municipality, short_name="МБОУ «СОШ № 6»", code="sch242706"
    )


@pytest.fixture
def draft(analyst, year_2020):
    """An empty municipal draft for 2020/2021."""
    return services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=analyst.municipality,
        school=None,
        year=year_2020,
        title="Проект",
        by=analyst,
    )


@pytest.fixture
def municipal(analyst, approver, year_2020):
    """Seed 004's roadmap for 2020/2021, approved and in execution: items 1–9 done, 10–14 not."""
    return seed004_roadmap(by=analyst, approver=approver, year=year_2020)


def seed_table(rows=ROWS, *, title=TITLE) -> bytes:
    """Seed 004's table as an xlsx, the way a МИМЦ would keep it."""
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    sheet.append(
        [
            "№ п/п",
            "Наименование мероприятия (краткое содержание)",
            "Сроки исполнения",
            "Ответственный исполнитель",
            "Ожидаемый результат",
            "Информация об исполнении",
        ]
    )
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
