-- Device web apps (issue 19): the admin's per-device switch; off until an admin turns it on (it opens
-- the device's loopback HTTP services to operators in the browser). Portable SQL (SQLite, H2, PostgreSQL).
ALTER TABLE devices ADD COLUMN allow_web_apps BOOLEAN DEFAULT FALSE NOT NULL;
