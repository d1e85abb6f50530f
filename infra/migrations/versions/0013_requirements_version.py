"""accounts.requirements_version: a number every change of an account's holders or requirement sets raises, in
the transaction that makes the change (triggers), so that a worker may hold the account's live sets between two
scorings and know from the scoring's first SELECT whether they are still what the database holds
(workers/selection.py ``HeldSets``)

Triggers rather than a rule for each writer: the CLI, the desk, the API and any later writer (or a hand-run SQL
statement) raise it alike. On SQLite a later migration that rebuilds (a batch "move and copy") ``accounts``,
``holders`` or ``requirement_sets`` calls ``drop_triggers`` before and ``create_triggers`` after: the rebuild of
``accounts`` or ``holders`` otherwise fails at its RENAME (SQLite re-reads every trigger, and these name them), and
one of ``holders`` or ``requirement_sets`` takes their own triggers with the old table (the test
``test_given_0013s_triggers_when_sqlite_rebuilds_...`` in tests/integration/test_migrations.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_RAISE = "UPDATE accounts SET requirements_version = requirements_version + 1 WHERE id"
# the accounts whose requirements a row of each table belongs to, for a row as it was (OLD) or is (NEW)
_ACCOUNT_OF = {
    "holders": lambda row: f"{_RAISE} = {row}.account_id",
    "requirement_sets": lambda row: f"{_RAISE} = (SELECT account_id FROM holders WHERE id = {row}.holder_id)",
}
_ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def create_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        for table, account_of in _ACCOUNT_OF.items():
            branches = "\n".join(
                f"IF TG_OP = '{op_name}' THEN {' '.join(account_of(row) + ';' for row in rows)} END IF;"
                for op_name, rows in _ROWS.items())
            op.execute(f"""
CREATE FUNCTION {table}_requirements_version() RETURNS trigger AS $$
BEGIN
{branches}
RETURN NULL;
END $$ LANGUAGE plpgsql""")
            op.execute(f"CREATE TRIGGER {table}_requirements_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_requirements_version()")
        return
    for table, account_of in _ACCOUNT_OF.items():  # SQLite: one trigger an operation
        for op_name, rows in _ROWS.items():
            op.execute(f"CREATE TRIGGER {table}_requirements_version_{op_name.lower()} AFTER {op_name} ON {table} "
                       f"FOR EACH ROW BEGIN {' '.join(account_of(row) + ';' for row in rows)} END")


def drop_triggers(dialect: str) -> None:
    for table in _ACCOUNT_OF:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_requirements_version ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_requirements_version()")
        else:
            for op_name in _ROWS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_requirements_version_{op_name.lower()}")


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requirements_version', sa.Integer(), server_default='0', nullable=False))
    create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    drop_triggers(dialect)
    if dialect == "sqlite":
        # SQLite's own DROP COLUMN (3.35+), not a batch's copy of the table: no copy of ``accounts`` to make
        # (migrations now run with foreign keys off, infra/migrations/env.py, so a copy would work too)
        op.execute("ALTER TABLE accounts DROP COLUMN requirements_version")
        return
    op.drop_column('accounts', 'requirements_version')
