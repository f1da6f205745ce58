"""review.audit_head holds a whole signed checkpoint: text, not 128 characters

SQLite never enforced the length; PostgreSQL refuses the sign-off.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.alter_column("audit_head", existing_type=sa.String(length=128),
                           type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.alter_column("audit_head", existing_type=sa.Text(),
                           type_=sa.String(length=128), existing_nullable=True)
