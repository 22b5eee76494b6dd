"""The stilling form: HTML form fields ⇄ `models.schemas.Position`, with Danish errors keyed by form field.

A consultant takes a vacancy over the phone, so the form is forgiving: blank task slots are ignored, hours
arrive as text, demands are checkboxes. Validation itself is the contract's (pydantic): the same rules as the
API, with the same Danish messages, only re-addressed from `tasks.0.hours_per_week` to the form field that
holds it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from models.catalogue import DAYS, NUMERIC_DEMAND, load_catalogue
from models.errors import danish_errors
from models.schemas import Location, Position
from models.vocabulary import EmployerSize, Sector
from service.http.web.form_errors import FormErrors

# Blank task slots offered under the filled ones (no JavaScript: "Tilføj opgave" re-renders with one more).
BLANK_TASK_SLOTS_NEW = 2
BLANK_TASK_SLOTS_EDIT = 1
MAX_TASK_SLOTS = 30

EMPLOYER_SIZES = EmployerSize.labels()
EMPLOYER_SECTORS = Sector.labels()

# Contract field path → form field name (task fields get the slot number in front).
_POSITION_FIELDS = {
    ("title",): "title", ("max_people",): "max_people", ("min_hours_per_person",): "min_hours",
    ("employer", "name"): "employer_name", ("employer", "id"): "employer_id", ("employer", "size"): "employer_size",
    ("employer", "sector"): "employer_sector", ("employer", "max_fleksjobbere"): "employer_max",
    ("jobcenter",): "jobcenter", ("tasks",): "tasks", ("id",): "position_id",
}
_TASK_FIELDS = {"title": "title", "description": "description", "hours_per_week": "hours", "competences": "competences",
                "days": "days", "splittable": "splittable", "demands": "demands", "id": "title"}


@dataclass
class TaskSlot:
    """One task block of the form, as the consultant typed it (strings), plus its slot number."""

    slot: int
    task_id: str = ""
    title: str = ""
    description: str = ""
    hours: str = ""
    competences: str = ""
    days: list[str] = field(default_factory=list)
    lifting_kg: str = ""
    demands: list[str] = field(default_factory=list)
    splittable: bool = True
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not (self.title or self.description or self.hours or self.competences)

    def prefix(self) -> str:
        return f"task-{self.slot}-"


@dataclass
class PositionForm(FormErrors):
    """Everything the stilling form shows: typed values (strings) and errors by field name."""

    position_id: str = ""
    title: str = ""
    employer_id: str = ""
    employer_name: str = ""
    employer_size: str = "small"
    employer_sector: str = "private"
    employer_max: str = ""
    employer_experience: bool = False
    max_people: str = "1"
    min_hours: str = "1"
    jobcenter: str = ""
    status: str = "open"
    tasks: list[TaskSlot] = field(default_factory=list)
    # The virksomhed picker: None when the post has no picker (then the employer_* fields describe the
    # employer, as before the picker existed), "" for "Ny virksomhed", else a stored employer's id.
    employer_choice: str | None = None
    # Only for a new virksomhed: where it is and its CVR (contact details are added on its own page).
    employer_cvr: str = ""
    employer_address: str = ""
    employer_postcode: str = ""
    # The workplace; blank means the virksomhed's own address.
    workplace_address: str = ""
    workplace_postcode: str = ""

    def add_blank_slots(self, count: int) -> None:
        next_slot = max((t.slot for t in self.tasks), default=-1) + 1
        room = max(0, MAX_TASK_SLOTS - len(self.tasks))
        for offset in range(min(count, room)):
            self.tasks.append(TaskSlot(slot=next_slot + offset))


def form_from_position(position: Position, status: str = "open") -> PositionForm:
    """Pre-filled form for editing a stored stilling."""
    form = PositionForm(
        position_id=position.id, title=position.title, employer_id=position.employer.id,
        employer_name=position.employer.name, employer_size=position.employer.size,
        employer_sector=position.employer.sector,
        employer_max="" if position.employer.max_fleksjobbere is None else str(position.employer.max_fleksjobbere),
        employer_experience=position.employer.has_fleksjob_experience, max_people=str(position.max_people),
        min_hours=str(position.min_hours_per_person), jobcenter=position.jobcenter or "", status=status,
        employer_choice=position.employer.id,
    )
    for slot, task in enumerate(position.tasks):
        active = task.demands.active()
        form.tasks.append(TaskSlot(
            slot=slot, task_id=task.id, title=task.title, description=task.description,
            hours=str(task.hours_per_week), competences=", ".join(task.competences), days=list(task.days or []),
            lifting_kg=_number_text(active.get(NUMERIC_DEMAND, "")),
            demands=[name for name in active if name != NUMERIC_DEMAND], splittable=task.splittable,
        ))
    return form


def _number_text(value: Any) -> str:
    if value == "":
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def form_from_post(data: FormData) -> PositionForm:
    """Read the posted form back into a PositionForm (strings; nothing validated yet)."""
    text = lambda name: str(data.get(name) or "").strip()  # noqa: E731 - a local reader, nothing more
    form = PositionForm(
        position_id=text("position_id"), title=text("title"), employer_id=text("employer_id"),
        employer_name=text("employer_name"), employer_size=text("employer_size") or "small",
        employer_sector=text("employer_sector") or "private", employer_max=text("employer_max"),
        employer_experience=data.get("employer_experience") == "on", max_people=text("max_people"),
        min_hours=text("min_hours"), jobcenter=text("jobcenter"), status=text("status") or "open",
        employer_choice=text("employer_choice") if "employer_choice" in data else None,
        employer_cvr=text("employer_cvr"), employer_address=text("employer_address"),
        employer_postcode=text("employer_postcode"), workplace_address=text("workplace_address"),
        workplace_postcode=text("workplace_postcode"),
    )
    slots = sorted({int(key.split("-")[1]) for key in data.keys()
                    if key.startswith("task-") and key.split("-")[1].isdigit()})
    demand_names = set(load_catalogue().demands)
    for slot in slots[:MAX_TASK_SLOTS]:
        prefix = f"task-{slot}-"
        form.tasks.append(TaskSlot(
            slot=slot, task_id=text(prefix + "id"), title=text(prefix + "title"),
            description=text(prefix + "description"), hours=text(prefix + "hours"),
            competences=text(prefix + "competences"),
            days=[d for d in data.getlist(prefix + "days") if d in DAYS],
            lifting_kg=text(prefix + "lifting_kg"),
            demands=[d for d in data.getlist(prefix + "demands") if d in demand_names and d != NUMERIC_DEMAND],
            splittable=data.get(prefix + "splittable") == "on", remove=data.get(prefix + "remove") == "on",
        ))
    return form


def _task_payload(task: TaskSlot, task_id: str) -> dict[str, Any]:
    demands: dict[str, Any] = {name: True for name in task.demands}
    if task.lifting_kg:
        demands[NUMERIC_DEMAND] = task.lifting_kg.replace(",", ".")
    payload: dict[str, Any] = {
        "id": task_id, "title": task.title, "description": task.description,
        "competences": [c.strip() for c in task.competences.replace(";", ",").split(",") if c.strip()],
        "demands": demands, "splittable": task.splittable, "days": task.days or None,
    }
    if task.hours:
        payload["hours_per_week"] = task.hours
    return payload


def _new_task_id(used: set[str]) -> str:
    n = 1
    while f"t{n}" in used:
        n += 1
    used.add(f"t{n}")
    return f"t{n}"


def new_position_id() -> str:
    return "S-" + secrets.token_hex(4).upper()


def new_employer_id() -> str:
    return "V-" + secrets.token_hex(4).upper()


def validate(form: PositionForm, location: Location | None = None) -> Position | None:
    """The contract Position at `location` (the workplace), or None with `form.errors` filled in (Danish,
    keyed by form field)."""
    kept = [t for t in form.tasks if not t.remove and not t.blank]
    used = {t.task_id for t in kept if t.task_id}
    task_ids = [t.task_id or _new_task_id(used) for t in kept]
    payload: dict[str, Any] = {
        "id": form.position_id or new_position_id(), "title": form.title,
        "employer": {"id": form.employer_id or new_employer_id(), "name": form.employer_name,
                     "size": form.employer_size, "sector": form.employer_sector,
                     "has_fleksjob_experience": form.employer_experience},
        "tasks": [_task_payload(t, tid) for t, tid in zip(kept, task_ids)],
        "jobcenter": form.jobcenter or None,
        "location": location,
    }
    if form.employer_max:
        payload["employer"]["max_fleksjobbere"] = form.employer_max
    for name, key in (("max_people", form.max_people), ("min_hours_per_person", form.min_hours)):
        if key:
            payload[name] = key
    try:
        position = Position.model_validate(payload)
    except ValidationError as exc:
        form.errors = _form_errors(exc, kept)
        return None
    # Keep the generated ids, so a re-render after a later error does not invent new ones.
    for task, tid in zip(kept, task_ids):
        task.task_id = tid
    form.position_id = position.id
    form.employer_id = position.employer.id
    return position


def _form_errors(exc: ValidationError, kept: list[TaskSlot]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in danish_errors(exc):
        loc = tuple(int(p) if p.isdigit() else p for p in error.field.split(".")) if error.field else ()
        name = _field_name(loc, kept)
        message = error.message
        if name == "tasks" and "mindst" in message:
            message = "Angiv mindst én opgave med titel og timer."
        if name.endswith("-title") and loc[-1:] == ("id",):
            message = "opgaven kunne ikke gemmes: " + message
        errors.setdefault(name, message[:1].upper() + message[1:])
    return errors


def _field_name(loc: tuple, kept: list[TaskSlot]) -> str:
    if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int) and loc[1] < len(kept):
        slot = kept[loc[1]]
        if len(loc) == 2:
            return slot.prefix() + "title"
        if loc[2] == "demands":
            return slot.prefix() + ("lifting_kg" if loc[3:4] == (NUMERIC_DEMAND,) else "demands")
        return slot.prefix() + _TASK_FIELDS.get(loc[2], "title")
    for length in (2, 1):
        if loc[:length] in _POSITION_FIELDS:
            return _POSITION_FIELDS[loc[:length]]
    return "form"
