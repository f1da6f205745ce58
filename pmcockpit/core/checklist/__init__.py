"""The daily checklist's domain: templates, checks, recurrence and runs.

Pure logic only: callers read template files, measure checks and store runs.
"""

from pmcockpit.core.checklist.checks import (
    CHECKS,
    CheckDefinition,
    CheckResult,
    CheckStatus,
    ParamSpec,
    ParamType,
    ParamValue,
    validate_params,
)
from pmcockpit.core.checklist.recurrence import (
    DEFAULT_DUE_WITHIN_DAYS,
    Period,
    Recurrence,
    RecurrenceKind,
)
from pmcockpit.core.checklist.runs import (
    DueState,
    OnTimeRate,
    PeriodOutcome,
    Progress,
    Run,
    RunStep,
    StepState,
    Timeliness,
    count_outcomes,
    due_state,
    is_overdue,
    on_time_rate,
    period_outcomes,
    run_due_state,
)
from pmcockpit.core.checklist.template import (
    ChecklistTemplate,
    TemplateError,
    TemplateProblem,
    TemplateStep,
    parse_template,
)

__all__ = [
    "CHECKS",
    "DEFAULT_DUE_WITHIN_DAYS",
    "CheckDefinition",
    "CheckResult",
    "CheckStatus",
    "ChecklistTemplate",
    "DueState",
    "OnTimeRate",
    "ParamSpec",
    "ParamType",
    "ParamValue",
    "Period",
    "PeriodOutcome",
    "Progress",
    "Recurrence",
    "RecurrenceKind",
    "Run",
    "RunStep",
    "StepState",
    "TemplateError",
    "TemplateProblem",
    "TemplateStep",
    "Timeliness",
    "count_outcomes",
    "due_state",
    "is_overdue",
    "on_time_rate",
    "parse_template",
    "period_outcomes",
    "run_due_state",
    "validate_params",
]
