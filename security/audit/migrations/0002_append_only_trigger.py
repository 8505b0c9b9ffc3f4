"""The database itself refuses to change or remove audit records.

Even with the ORM bypassed (raw SQL, a psql session with the application's credentials),
UPDATE and TRUNCATE always fail and DELETE fails unless the purge command's session flag is
set *and* the row is older than 184 days. An attacker who is a database superuser can still
disable the trigger; the HMAC chain (verify_audit) then shows what they changed.
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('jiyue.audit_purge', true) = 'on'
           AND OLD.created_at < now() - interval '184 days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % refused on audit_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_append_only_rows
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_append_only_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_event_append_only_rows ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
