"""HR roster files: Chinese headers, three encodings, date forms, bad rows by line."""

from __future__ import annotations

from datetime import date

import pytest

from pmcockpit.core.roster import RosterError, StaffStatus, parse_date, parse_roster

CHINESE = (
    "工号,姓名,邮箱,账号,部门,在职状态,离职日期\n"
    "1001,张伟,Zhang.Wei@example.cn,zhangwei,研发部,在职,\n"
    "1002,李娜,lina@example.cn,lina,财务部,离职,2026年3月20日\n"
    "1003,王芳,wangfang@example.cn,wangfang,研发部,离职,2026/3/5\n"
    "1004,坏行,not-an-email,bad,研发部,在职,\n"
    "1005,赵磊,zhaolei@example.cn,zhaolei,市场部,离职,明天\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_headers_in_every_encoding_with_bad_rows_by_line(encoding: str) -> None:
    parsed = parse_roster(CHINESE.encode(encoding))
    assert [e.login for e in parsed.entries] == ["zhangwei", "lina", "wangfang"]
    zhang, lina, wang = parsed.entries
    assert zhang.email == "zhang.wei@example.cn" and zhang.name == "张伟"
    assert zhang.status is StaffStatus.ACTIVE and zhang.department == "研发部"
    assert lina.has_left and lina.left_on == date(2026, 3, 20)
    assert wang.left_on == date(2026, 3, 5)
    assert [p.line for p in parsed.problems] == [5, 6]
    assert "not-an-email" in parsed.problems[0].reason
    assert "明天" in parsed.problems[1].reason
    expected = "gb18030" if encoding in ("gbk", "gb18030") else "utf-8-sig"
    assert parsed.encoding == expected
    assert len(parsed.sha256) == 64


def test_english_export_of_the_simulator() -> None:
    data = (b"employee_id,login,name,email,department,team,status,left_on\n"
            b"E1,ann,Ann,ann@x.org,Ops,A,employed,\n"
            b"E2,bob,Bob,bob@x.org,Ops,A,left,2026-01-02\n")
    parsed = parse_roster(data)
    assert [(e.login, e.status) for e in parsed.entries] == [
        ("ann", StaffStatus.ACTIVE), ("bob", StaffStatus.LEFT)]
    assert parsed.problems == ()


def test_a_leaving_date_without_a_status_means_left() -> None:
    parsed = parse_roster(b"email,left_on\na@x.org,2026-01-02\nb@x.org,\n")
    assert [e.status for e in parsed.entries] == [StaffStatus.LEFT, StaffStatus.ACTIVE]


def test_a_header_without_email_or_login_is_refused() -> None:
    with pytest.raises(RosterError, match="no e-mail or login column"):
        parse_roster("姓名,部门\n张伟,研发部\n".encode())


def test_bytes_that_are_no_known_encoding_are_refused() -> None:
    with pytest.raises(RosterError, match="neither UTF-8 nor GB18030"):
        parse_roster(b"email\n\xff\xfe\xff\x00\x81")


def test_date_forms() -> None:
    for text in ("2026-03-20", "2026/3/20", "2026年3月20日", "2026.3.20"):
        assert parse_date(text) == date(2026, 3, 20)
    with pytest.raises(ValueError):
        parse_date("20/03/2026")
