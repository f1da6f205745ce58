"""rollout connections: a rollout targets a chosen set of connections

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollout_connection",
        sa.Column("rollout_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["rollout_id"], ["rollout.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("rollout_id", "name"),
    )
    op.execute("INSERT INTO rollout_connection (rollout_id, name) "
               "SELECT id, connection FROM rollout WHERE connection IS NOT NULL")


def downgrade() -> None:
    op.drop_table("rollout_connection")
