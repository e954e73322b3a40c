"""Counts of the analyst's home page."""

from schools.selectors import registry_summary, school_list
from tests.factories import AnalystFactory, OperatorFactory, SchoolFactory


def test_registry_summary_counts_active_inactive_and_without_operator(
    analyst, municipality, school, django_assert_num_queries
):
    """Only an active operator counts; staff bound to a school do not."""
    OperatorFactory(schools=[school])
    with_staff_only = SchoolFactory(municipality=municipality)
    AnalystFactory(municipality=municipality, schools=[with_staff_only])
    with_inactive_operator = SchoolFactory(municipality=municipality)
    OperatorFactory(schools=[with_inactive_operator], is_active=False)
    SchoolFactory(municipality=municipality, is_active=False)
    SchoolFactory()  # another municipality's
    with django_assert_num_queries(1):
        summary = registry_summary(user=analyst)
    assert summary == {"schools": 3, "inactive": 1, "without_operator": 2}


def test_school_list_counts_active_operators_of_each_school(analyst, municipality):
    """Inactive operators are not counted; a school without any shows 0."""
    staffed, empty = (SchoolFactory(municipality=municipality) for _ in range(2))
    OperatorFactory(schools=[staffed])
    OperatorFactory(schools=[staffed])
    OperatorFactory(schools=[empty], is_active=False)
    counts = dict(school_list(user=analyst).values_list("pk", "operator_count"))
    assert counts == {staffed.pk: 2, empty.pk: 0}
