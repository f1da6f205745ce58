"""The demo's review: today's roster is Feishu's directory, and it finds people who
resigned in Feishu yet still have open ZenTao and GitLab accounts (issue 16), against an
earlier signed-off review with an administrator added since."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.services.demo import open_demo
from pmcockpit.storage import roster
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Review, ReviewItem


def test_demo_review_finds_feishu_leavers_still_open_in_zentao_and_gitlab(
        tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    settings = Settings(operator="tester", templates_dir=str(tmp_path / "lists"))
    with open_demo(db, settings, scale=60) as workspace, workspace.db.session() as session:
        latest = roster.latest_import(session)
        left = {e.email for e in roster.staff(session) if e.has_left}
        today = session.scalars(select(Review).order_by(Review.id.desc())).first()
        assert today is not None and today.signed_off_at is None and today.previous_id
        items = session.scalars(select(ReviewItem)
                                .where(ReviewItem.review_id == today.id)).all()
        open_in: dict[str, set[str]] = {}
        for item in items:
            if any(f["rule"] == "departed-active" for f in item.findings["found"]):
                open_in.setdefault(item.person, set()).add(item.connection)
        granted = [i for i in items
                   if any(f["rule"] == "admin-granted" for f in i.findings["found"])]
    db.dispose()
    assert latest is not None and latest.filename == "feishu:feishu"
    assert set(open_in) <= left
    assert any({"zentao", "gitlab"} <= tools for tools in open_in.values()), open_in
    assert granted
