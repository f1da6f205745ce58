"""Phase plans: the built-in ones, then the administrator's own.

The administrator's folder is ``rollouts`` beside the checklist folder; each
``*.toml`` there replaces the built-in plan of the same stem or adds one. A file
with mistakes is left out and its problems (file and line) are kept to be shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.core.checklist import TemplateError, TemplateProblem
from pmcockpit.core.i18n import _, current_locale
from pmcockpit.core.rollout import PhasePlan, RolloutKind, parse_plan

DEFAULT_PLAN = {
    RolloutKind.ADOPTION: "adoption",
    RolloutKind.UPGRADE: "upgrade",
    RolloutKind.TEMPLATE: "change",
    RolloutKind.INTEGRATION: "change",
}


@dataclass(frozen=True, slots=True)
class PlanSet:
    plans: Mapping[str, PhasePlan] = field(default_factory=dict)
    problems: Mapping[str, tuple[TemplateProblem, ...]] = field(default_factory=dict)

    def get(self, key: str) -> PhasePlan:
        if key in self.plans:
            return self.plans[key]
        if key in self.problems:
            details = "\n".join(f"  {problem}" for problem in self.problems[key])
            raise LookupError(_("the phase plan {key} cannot be used:\n{details}").format(
                key=key, details=details))
        raise LookupError(_("no phase plan {key}; known plans: {known}").format(
            key=key, known=", ".join(sorted(self.plans))))


def plan_dir(settings: Settings) -> Path:
    return settings.checklist_dir.parent / "rollouts"


def load_plans(settings: Settings) -> PlanSet:
    plans: dict[str, PhasePlan] = {}
    problems: dict[str, tuple[TemplateProblem, ...]] = {}
    folder = resources.files("pmcockpit.templates") / "rollouts"
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            key = item.name.removesuffix(".toml")
            own = folder / current_locale() / item.name  # the plan in the language spoken
            source = own if own.is_file() else item
            plans[key] = parse_plan(source.read_text(encoding="utf-8"),
                                    f"built-in/{item.name}", key)
    custom = plan_dir(settings)
    for path in sorted(custom.glob("*.toml")) if custom.is_dir() else []:
        plans.pop(path.stem, None)  # a broken file of theirs must not silently run ours
        try:
            plans[path.stem] = parse_plan(path.read_text(encoding="utf-8"), str(path),
                                          path.stem)
        except (OSError, UnicodeDecodeError) as error:
            problems[path.stem] = (TemplateProblem(str(path), 1, str(error)),)
        except TemplateError as error:
            problems[path.stem] = tuple(error.problems)
    return PlanSet(plans, problems)
