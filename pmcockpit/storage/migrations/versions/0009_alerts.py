"""alerts: notifiers and what was sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_notifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notifier")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_notifier_name")),
    )
    op.create_table(
        "alert_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notifier", sa.String(length=64), nullable=False),
        sa.Column("problem", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("where", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_sent")),
    )
    op.create_index("ix_alert_sent_notifier", "alert_sent", ["notifier", "problem", "id"])


def downgrade() -> None:
    op.drop_index("ix_alert_sent_notifier", table_name="alert_sent")
    op.drop_table("alert_sent")
    op.drop_table("alert_notifier")
