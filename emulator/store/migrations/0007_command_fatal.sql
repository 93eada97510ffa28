-- A failed import command ends in Kontomatik's state "fatal" rather than
-- "error" when its scenario rule says so.
ALTER TABLE import_commands ADD COLUMN fatal INTEGER NOT NULL DEFAULT 0;
