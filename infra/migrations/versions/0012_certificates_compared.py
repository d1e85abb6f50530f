"""certificates.compared: the keys the history signals compare, written with the certificate, so that a
new certificate is compared with the account's earlier ones without parsing their whole data; and
messages indexed by (account_id, storage_key), the split's look-up of the rows that share a stored mail

Rows written before this migration keep compared NULL; the history query reads their data as before
(workers/trust.py), so no backfill is needed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compared', sa.JSON(), nullable=True))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_account_storage_key', ['account_id', 'storage_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_account_storage_key')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('compared')
