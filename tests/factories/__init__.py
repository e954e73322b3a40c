from .monitoring import (
    STAFFING,
    CampaignFactory,
    ReportFactory,
    StaffingDataFactory,
    subject,
)
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
    "STAFFING",
    "AcademicYearFactory",
    "AdminFactory",
    "AnalystFactory",
    "ApproverFactory",
    "CampaignFactory",
    "MunicipalityFactory",
    "OperatorFactory",
    "RegionFactory",
    "ReportFactory",
    "SchoolFactory",
    "StaffingDataFactory",
    "UserFactory",
    "subject",
]
