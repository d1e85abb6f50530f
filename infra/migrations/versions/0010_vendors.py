"""vendors: vendor records, their certificates, reply threads, certificate requests; a From and email templates per account

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-05 05:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_from', sa.String(length=320), nullable=True))
    for table in ('upload_refs', 'uploads'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sender', sa.String(length=320), nullable=True))
    op.create_table(
        'vendors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('aliases', sa.JSON(), nullable=False),
        sa.Column('contacts', sa.JSON(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('holder_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['holder_id'], ['holders.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'name', name='uq_vendors_account_name'),
    )
    op.create_index(op.f('ix_vendors_account_id'), 'vendors', ['account_id'], unique=False)
    op.create_table(
        'vendor_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=False),
        sa.Column('holder_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=True),
        sa.Column('recipients', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('sends', sa.Integer(), nullable=False),
        sa.Column('next_chase_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('fulfilled_document_id', sa.String(length=32), nullable=True),
        sa.Column('created_by', sa.String(length=320), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id']),
        sa.ForeignKeyConstraint(['holder_id'], ['holders.id']),
        sa.ForeignKeyConstraint(['fulfilled_document_id'], ['documents.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_vendor_requests_account_id'), 'vendor_requests', ['account_id'], unique=False)
    op.create_index(op.f('ix_vendor_requests_vendor_id'), 'vendor_requests', ['vendor_id'], unique=False)
    op.create_index(op.f('ix_vendor_requests_status'), 'vendor_requests', ['status'], unique=False)
    op.create_table(
        'vendor_documents',
        sa.Column('document_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=True),
        sa.Column('replaces_id', sa.String(length=32), nullable=True),
        sa.Column('answers_id', sa.String(length=32), nullable=True),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('matched_by', sa.String(length=16), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('linked_by', sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id']),
        sa.ForeignKeyConstraint(['replaces_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['answers_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['request_id'], ['vendor_requests.id']),
        sa.PrimaryKeyConstraint('document_id'),
    )
    op.create_index(op.f('ix_vendor_documents_account_id'), 'vendor_documents', ['account_id'], unique=False)
    op.create_index(op.f('ix_vendor_documents_vendor_id'), 'vendor_documents', ['vendor_id'], unique=False)
    op.create_table(
        'message_threads',
        sa.Column('message_id', sa.String(length=32), nullable=False),
        sa.Column('refs', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id']),
        sa.PrimaryKeyConstraint('message_id'),
    )
    op.create_table(
        'notice_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'name', name='uq_notice_templates_account_name'),
    )
    op.create_index(op.f('ix_notice_templates_account_id'), 'notice_templates', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notice_templates_account_id'), table_name='notice_templates')
    op.drop_table('notice_templates')
    op.drop_table('message_threads')
    op.drop_index(op.f('ix_vendor_documents_vendor_id'), table_name='vendor_documents')
    op.drop_index(op.f('ix_vendor_documents_account_id'), table_name='vendor_documents')
    op.drop_table('vendor_documents')
    op.drop_index(op.f('ix_vendor_requests_status'), table_name='vendor_requests')
    op.drop_index(op.f('ix_vendor_requests_vendor_id'), table_name='vendor_requests')
    op.drop_index(op.f('ix_vendor_requests_account_id'), table_name='vendor_requests')
    op.drop_table('vendor_requests')
    op.drop_index(op.f('ix_vendors_account_id'), table_name='vendors')
    op.drop_table('vendors')
    for table in ('uploads', 'upload_refs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('sender')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('notify_from')
