import pytest

from schools.templatetags.portal import plural_ru, yesno_ru


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "школа"),
        (2, "школы"),
        (4, "школы"),
        (5, "школ"),
        (11, "школ"),
        (12, "школ"),
        (21, "школа"),
        (22, "школы"),
        (111, "школ"),
        (0, "школ"),
    ],
)
def test_plural_ru_picks_the_russian_form(n, word):
    assert plural_ru(n, "школа,школы,школ") == word


def test_yesno_ru():
    assert yesno_ru(True) == "да"
    assert yesno_ru(False) == "нет"
    assert yesno_ru(None) == "—"
    assert yesno_ru("текст") == "текст"
