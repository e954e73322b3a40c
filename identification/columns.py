"""Column names of the frames the identification engine reads and writes."""

# Schools
SCHOOL_ID = "school_id"
MUNICIPALITY_ID = "municipality_id"
REGION_ID = "region_id"
SCHOOL_TYPE = "school_type"
IS_RURAL = "is_rural"
DISTANCE_KM = "distance_km"
CODE = "code"
NAME = "name"

# Every yearly frame
YEAR = "year"  # the start year of a school year: 2020 for 2020/2021

# Assessment results
PROCEDURE = "procedure"
SUBJECT = "subject"
GRADE = "grade"
LEVEL = "level"
PARTICIPANTS = "participants"
FAIL = "fail"  # «2» (ВПР, ОГЭ, ЕГЭ базовый) or below the minimum (other ЕГЭ)
MEAN = "mean_score"  # ЕГЭ: test points; ВПР, ОГЭ, ЕГЭ базовый: the mean mark
# The mean primary score as % of the maximum (ОГЭ, ВПР), where the data gives it
# (results and regional means); optional in the engine's frames.
MEAN_PERCENT = "mean_percent"
CELL = "cell"  # engine-internal code of (procedure, subject, grade, level)

# Mark comparison with the journal
LOWERED = "lowered"
CONFIRMED = "confirmed"
RAISED = "raised"

# Output
CRITERION = "criterion"
STATE = "state"
VALUE = "value"
THRESHOLD = "threshold"
RANK = "rank"
MARGIN = "margin"
COMPONENTS = "components"
EXPLANATION = "explanation"
STATUS = "status"
SHNOR = "shnor"
SHNSU = "shnsu"
WARNINGS = "warnings"

FLAGGED = "flagged"
NOT_FLAGGED = "not_flagged"
NO_DATA = "no_data"
NOT_APPLICABLE = "not_applicable"
# A rank cut (25 %) over a group smaller than min_schools: the value is known,
# the school is not ranked (methodology §9 R2).
TOO_FEW_SCHOOLS = "too_few"
STATES = (FLAGGED, NOT_FLAGGED, NO_DATA, NOT_APPLICABLE, TOO_FEW_SCHOOLS)
STATE_LABELS = {
    FLAGGED: "отмечен",
    NOT_FLAGGED: "не отмечен",
    NO_DATA: "нет данных",
    NOT_APPLICABLE: "не применяется",
    TOO_FEW_SCHOOLS: "мало школ для сравнения",
}

STATUS_SHNOR = "ШНОР"
STATUS_SHNSU = "ШНСУ"
STATUS_BOTH = "ШНОР и ШНСУ"
STATUS_NONE = "нет"
STATUS_NO_DATA = "нет данных"
