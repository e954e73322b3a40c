"""On PostgreSQL the audit log refuses UPDATE and DELETE at the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION schools_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Журнал действий только пополняется: записи не изменяют и не удаляют';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER schools_auditevent_append_only
    BEFORE UPDATE OR DELETE ON schools_auditevent
    FOR EACH ROW EXECUTE FUNCTION schools_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS schools_auditevent_append_only ON schools_auditevent;
DROP FUNCTION IF EXISTS schools_auditevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("schools", "0004_audit_event")]

    operations = [migrations.RunPython(create, drop)]
