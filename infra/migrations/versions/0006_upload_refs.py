"""upload_refs: each presigned upload handed out, with its account, key and expiry

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('upload_refs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=1024), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('upload_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_refs_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('upload_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_refs_account_id'))
    op.drop_table('upload_refs')
