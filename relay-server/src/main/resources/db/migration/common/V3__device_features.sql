-- Per-device switches for what operators may do besides the interactive shell.
-- Forwarding starts off: it opens a path from the operator into the device's network.
ALTER TABLE devices ADD COLUMN allow_sftp BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE devices ADD COLUMN allow_exec BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE devices ADD COLUMN allow_forwarding BOOLEAN DEFAULT FALSE NOT NULL;
