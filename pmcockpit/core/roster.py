"""HR's roster, read from a CSV file: who works here, who left and when.

Pure: bytes in, entries and per-line problems out. HR exports come from Excel
and from Chinese HR systems, so the header names are mapped (English and Chinese),
the encoding is found by a strict try-order (UTF-8 with or without BOM, then
GB18030, which covers GBK and GB2312: a strict decode either succeeds or fails,
where a statistical guess can silently pick the wrong one), and dates come in the
usual forms. A bad row is reported with its line number and why; the rest is kept.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date

from pmcockpit.core.i18n import _


class StaffStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"


FIELDS = ("employee_id", "login", "name", "email", "department", "status", "left_on")

_HEADERS: dict[str, str] = {
    # English, as HR systems and the simulator export them
    "employee_id": "employee_id", "employee id": "employee_id", "id": "employee_id",
    "staff id": "employee_id", "login": "login", "username": "login", "user": "login",
    "account": "login", "name": "name", "full name": "name", "display name": "name",
    "email": "email", "e-mail": "email", "mail": "email", "email address": "email",
    "department": "department", "dept": "department", "status": "status",
    "employment status": "status", "left_on": "left_on", "left on": "left_on",
    "leaving date": "left_on", "end date": "left_on", "termination date": "left_on",
    # Chinese HR exports
    "工号": "employee_id", "员工编号": "employee_id", "账号": "login", "登录名": "login",
    "用户名": "login", "姓名": "name", "邮箱": "email", "电子邮箱": "email",
    "邮件": "email", "部门": "department", "状态": "status", "在职状态": "status",
    "离职日期": "left_on", "离职时间": "left_on",
}

_ACTIVE_WORDS = {"active", "employed", "current", "在职", "正式", "试用"}
_LEFT_WORDS = {"left", "departed", "terminated", "inactive", "former", "离职", "已离职"}
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order, strictly; utf-8-sig also reads plain UTF-8."""


class RosterError(ValueError):
    """The file cannot be read as a roster at all; the message says why."""


@dataclass(frozen=True, slots=True)
class StaffEntry:
    email: str
    login: str
    name: str
    department: str
    status: StaffStatus
    left_on: date | None
    employee_id: str = ""

    @property
    def has_left(self) -> bool:
        return self.status is StaffStatus.LEFT


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedRoster:
    entries: tuple[StaffEntry, ...]
    problems: tuple[RowProblem, ...]
    encoding: str
    sha256: str
    columns: tuple[str, ...]
    """The roster fields found in the header, in the file's order."""


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding that read it; RosterError when none does."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RosterError(_("the file is neither UTF-8 nor GB18030/GBK: save it as UTF-8 CSV"))


def parse_date(text: str) -> date:
    """2026-03-20, 2026/3/20, 2026.3.20 or 2026年3月20日; ValueError otherwise."""
    cleaned = text.strip()
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    raise ValueError(text)


def _status(text: str, left_on: date | None) -> StaffStatus:
    word = text.strip().lower()
    if not word:
        return StaffStatus.LEFT if left_on else StaffStatus.ACTIVE
    if word in _ACTIVE_WORDS:
        return StaffStatus.ACTIVE
    if word in _LEFT_WORDS:
        return StaffStatus.LEFT
    raise ValueError(word)


def _map_header(header: list[str]) -> list[str | None]:
    return [_HEADERS.get(cell.strip().lower()) for cell in header]


def _entry(values: dict[str, str]) -> StaffEntry:
    """One row as an entry; ValueError with the reason when it is not usable."""
    email = values.get("email", "").strip().lower()
    login = values.get("login", "").strip()
    if not email and not login:
        raise ValueError(_("neither an e-mail nor a login"))
    if email and "@" not in email:
        raise ValueError(_("{email!r} is not an e-mail address").format(email=email))
    left_text = values.get("left_on", "").strip()
    try:
        left_on = parse_date(left_text) if left_text else None
    except ValueError:
        raise ValueError(_("leaving date {text!r} is not a date (use 2026-03-20)").format(
            text=left_text)) from None
    try:
        status = _status(values.get("status", ""), left_on)
    except ValueError:
        raise ValueError(_("status {text!r} is neither active nor left").format(
            text=values.get("status", ""))) from None
    return StaffEntry(email, login, values.get("name", "").strip(),
                      values.get("department", "").strip(), status, left_on,
                      values.get("employee_id", "").strip())


def parse_roster(data: bytes) -> ParsedRoster:
    """The roster in ``data``; RosterError when there is no usable header."""
    text, encoding = decode(data)
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        raise RosterError(_("the file is empty"))
    fields = _map_header(header)
    if "email" not in fields and "login" not in fields:
        raise RosterError(_("no e-mail or login column in the header ({header}): name one "
                            "email/邮箱 or login/账号").format(header=", ".join(header)))
    entries: list[StaffEntry] = []
    problems: list[RowProblem] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(fields):
            problems.append(RowProblem(line, _("{count} cells, the header has {expected}")
                                       .format(count=len(row), expected=len(fields))))
            continue
        values = {name: cell for name, cell in zip(fields, row, strict=False) if name}
        try:
            entries.append(_entry(values))
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
    found = tuple(name for name in fields if name)
    return ParsedRoster(tuple(entries), tuple(problems), encoding,
                        hashlib.sha256(data).hexdigest(), found)
