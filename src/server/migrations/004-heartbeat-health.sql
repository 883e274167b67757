-- 004: the heartbeat's optional storage and buttons (docs/cloud-api.md, section 3).
--
-- Nullable: NULL is "not reported", what a kiosk older than these members sends, and what every
-- heartbeat stored before this migration was. Adding a nullable column without a default
-- rewrites no rows, so this is instant however long the history is.

ALTER TABLE heartbeats
  ADD COLUMN storage_state          text,
  ADD COLUMN storage_database_bytes bigint,
  ADD COLUMN storage_free_bytes     bigint,
  ADD COLUMN buttons_configured     bigint,
  ADD COLUMN buttons_connected      bigint;

ALTER TABLE device_health
  ADD COLUMN storage_state          text,
  ADD COLUMN storage_database_bytes bigint,
  ADD COLUMN storage_free_bytes     bigint,
  ADD COLUMN buttons_configured     bigint,
  ADD COLUMN buttons_connected      bigint;
