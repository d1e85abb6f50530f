"""holder aliases: accepted alternative spellings of a holder's name (issue 17)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 06:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('holders', schema=None) as batch_op:
        batch_op.drop_column('aliases')
