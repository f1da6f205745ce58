"""rollout: ticket KPIs kept with each team's adoption snapshot

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("tickets_created", "tickets_closed", "tickets_open", "tickets_late")


def upgrade() -> None:
    with op.batch_alter_table("rollout_adoption", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rollout_adoption", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
