"""search_entries: the searchable text of every certificate (PostgreSQL: full-text and pg_trgm GIN
indexes; SQLite: an FTS5 table kept in step by triggers), filled from the certificates stored so
far; upload_tokens.scope ("read" tokens may list, search and report)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05 05:30:00
"""
import json

import sqlalchemy as sa
from alembic import op

from pipeline.search import search_fields

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = ("insured", "holder", "producer", "insurers", "naic", "policy_numbers", "description",
            "certificate_number", "body")

# SQLite: an external-content FTS5 table over search_entries (rowid = search_entries.id), with the
# trigram tokenizer so that any fragment of three characters or more matches, case-insensitively.
_SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_entries', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
]
_SQLITE_DOWN = ["DROP TRIGGER IF EXISTS search_fts_update", "DROP TRIGGER IF EXISTS search_fts_delete",
                "DROP TRIGGER IF EXISTS search_fts_insert", "DROP TABLE IF EXISTS search_fts"]
# PostgreSQL: words (stemmed English full text) and fragments or misspellings (trigrams).
_POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_entries_body_trgm ON search_entries USING gin (body gin_trgm_ops)",
    "CREATE INDEX ix_search_entries_body_fts ON search_entries USING gin (to_tsvector('english', body))",
]
_POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_search_entries_body_fts", "DROP INDEX IF EXISTS ix_search_entries_body_trgm"]


def upgrade() -> None:
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Text(), nullable=False) for name in _COLUMNS],
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id'),
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_account_id'), ['account_id'], unique=False)
    with op.batch_alter_table('upload_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='upload', nullable=False))
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_UP if dialect == "sqlite" else _POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)
    _fill()


def _fill() -> None:
    """An entry for every certificate already stored (the workers keep them in step from now on)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT c.document_id, d.account_id, c.data FROM certificates c "
                                "JOIN documents d ON d.id = c.document_id")).all()
    entries = sa.table('search_entries', sa.column('document_id'), sa.column('account_id'),
                       sa.column('updated_at'), *[sa.column(name) for name in _COLUMNS])
    values = []
    for document_id, account_id, data in rows:
        certificate = json.loads(data) if isinstance(data, str) else data
        values.append({"document_id": document_id, "account_id": account_id, "updated_at": sa.func.now(),
                       **search_fields(certificate or {}).as_row()})
    for value in values:
        bind.execute(entries.insert().values(**value))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_DOWN if dialect == "sqlite" else _POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
    with op.batch_alter_table('upload_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_account_id'))
    op.drop_table('search_entries')
