"""sync marks: the incremental sync's watermark, last full sync and ticket basis

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tickets_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("full_sync_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("tickets_basis", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.drop_column("tickets_basis")
        batch_op.drop_column("full_sync_at")
        batch_op.drop_column("tickets_since")
