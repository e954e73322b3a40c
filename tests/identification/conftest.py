import pytest

from tests.factories.identification import RunFactory, build_town, preset


@pytest.fixture
def combined(db):
    """The combined preset methodology, as every portal has it."""
    return preset("combined")


@pytest.fixture
def town(municipality, school):
    """
    The six schools of tests.factories.identification.TOWN in the municipality,
    with three years of figures; the shared school is its МБОУ «СОШ № 1».
    """
    return build_town(municipality, school=school)


@pytest.fixture
def town_run(town, analyst, combined):
    """A finished combined run for the town on 2021/2022, made by the analyst."""
    return RunFactory(
        target_year=town.years[2021],
        municipalities=[town.municipality],
        version=combined.current,
        created_by=analyst,
    )
