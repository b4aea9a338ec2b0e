"""auth_login_attempt: an outcome instead of a succeeded flag; an index per client address

Throttled attempts were stored as failures and so kept an account locked; the outcome
tells them apart ("checking", "failed", "succeeded", "throttled"). Existing rows become
"succeeded" or "failed".

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_attempts = sa.table(
    "auth_login_attempt",
    sa.column("succeeded", sa.Boolean()),
    sa.column("outcome", sa.String(20)),
)


def upgrade() -> None:
    op.add_column(
        "auth_login_attempt",
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    op.execute(
        _attempts.update().values(
            outcome=sa.case((_attempts.c.succeeded == sa.true(), "succeeded"), else_="failed")
        )
    )
    with op.batch_alter_table("auth_login_attempt", schema=None) as batch_op:
        batch_op.alter_column(
            "outcome", existing_type=sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        )
        batch_op.drop_column("succeeded")
        batch_op.create_index(
            "ix_auth_login_attempt_client_ip_created", ["client_ip", "created_at"], unique=False
        )


def downgrade() -> None:
    op.add_column("auth_login_attempt", sa.Column("succeeded", sa.Boolean(), nullable=True))
    op.execute(_attempts.update().values(succeeded=_attempts.c.outcome == "succeeded"))
    with op.batch_alter_table("auth_login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_login_attempt_client_ip_created")
        batch_op.alter_column("succeeded", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column("outcome")
