"""desk_settings.public_fact_checks: whether published fact-check pages are open to everyone

Off by default (and for every existing desk): a fact-check page is then shown only to people
signed in. An admin turns it on in the desk settings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("desk_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_fact_checks", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("desk_settings", schema=None) as batch_op:
        batch_op.drop_column("public_fact_checks")
