from .schools import (
    AcademicYearFactory,
    AdminFactory,
    AnalystFactory,
    ApproverFactory,
    MunicipalityFactory,
    OperatorFactory,
    RegionFactory,
    SchoolFactory,
    UserFactory,
)

__all__ = [
    "AcademicYearFactory",
    "AdminFactory",
    "AnalystFactory",
    "ApproverFactory",
    "MunicipalityFactory",
    "OperatorFactory",
    "RegionFactory",
    "SchoolFactory",
    "UserFactory",
]
