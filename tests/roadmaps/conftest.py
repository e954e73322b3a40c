import io

import pytest
from openpyxl import Workbook

from roadmaps import services
from roadmaps.models import Roadmap
from roadmaps.seed004 import ROWS, TITLE
from schools.models import AcademicYear, User


@pytest.fixture
def mimc(demo):
    return User.objects.get(username="mimc")


@pytest.fixture
def uo(demo):
    return User.objects.get(username="uo")


@pytest.fixture
def draft(mimc):
    """An empty municipal draft for 2020/2021."""
    return services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=mimc.municipality,
        school=None,
        year=AcademicYear.objects.get(start_year=2020),
        title="Проект",
        by=mimc,
    )


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
