"""handoffs (the chain's next stages, relayed), events.stream_id, accounts.stream_entry_id, an index of unpublished events

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-20 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream_entry_id', sa.String(length=32), nullable=True))

    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoffs_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream_id', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_events_unpublished', ['created_at'], unique=False,
                              postgresql_where=sa.text('published_at IS NULL'),
                              sqlite_where=sa.text('published_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_unpublished', postgresql_where=sa.text('published_at IS NULL'),
                            sqlite_where=sa.text('published_at IS NULL'))
        batch_op.drop_column('stream_id')

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoffs_created_at'))

    op.drop_table('handoffs')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('stream_entry_id')
