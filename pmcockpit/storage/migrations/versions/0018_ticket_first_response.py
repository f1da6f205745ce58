"""ticket first response: when someone other than its author first commented, kept on the
ticket (the queue sorts every open ticket by it on each filter keystroke)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_at", sa.DateTime(), nullable=True))
    ticket = sa.table("ticket", sa.column("id"), sa.column("author_remote_id"),
                      sa.column("first_response_at"))
    comment = sa.table("ticket_comment", sa.column("ticket_id"),
                       sa.column("author_remote_id"), sa.column("created_at"))
    first = (sa.select(sa.func.min(comment.c.created_at))
             .where(comment.c.ticket_id == ticket.c.id,
                    comment.c.author_remote_id.is_distinct_from(ticket.c.author_remote_id))
             .scalar_subquery())
    op.execute(sa.update(ticket).values(first_response_at=first))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("first_response_at")
