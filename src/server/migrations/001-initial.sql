-- 001: sites, groups, devices, surveys, responses and heartbeats.
--
-- Sized for 10 000 kiosks x 1 000 responses a day (10 million rows a day): responses are hash
-- partitioned by device, so the primary key (device_id, event_id) contains the partition key and
-- de-duplication holds for ever in every partition; the same column is Citus's distribution
-- column (docs/server.md).

CREATE TABLE site_groups (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  title       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  title         text NOT NULL,
  time_zone     text NOT NULL,
  site_type     text NOT NULL DEFAULT 'other',
  country       text CHECK (country ~ '^[A-Z]{2}$'),
  -- {"monday": "08:00-20:00", "sunday": "closed", …}; NULL: open around the clock
  opening_hours jsonb,
  group_id      bigint REFERENCES site_groups (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_group ON sites (group_id);

CREATE TABLE devices (
  id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
  site_id     bigint NOT NULL REFERENCES sites (id),
  -- SHA-256 of the bearer token; the token itself is shown once and never stored
  token_hash  bytea NOT NULL UNIQUE CHECK (length (token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz,
  last_seen_at timestamptz
);
CREATE INDEX devices_site ON devices (site_id);

CREATE TABLE surveys (
  survey_id    text NOT NULL,
  version      integer NOT NULL,
  body         text NOT NULL,       -- exactly as published, served byte for byte
  etag         text NOT NULL,
  scale        smallint NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (survey_id, version)
);

-- Which survey a device shows: its own assignment, else its site's, else the default.
CREATE TABLE survey_assignments (
  scope        text NOT NULL CHECK (scope IN ('default', 'site', 'device')),
  site_id      bigint REFERENCES sites (id),
  device_id    text REFERENCES devices (id),
  survey_id    text NOT NULL,
  version      integer NOT NULL,
  assigned_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (survey_id, version) REFERENCES surveys (survey_id, version),
  CHECK ((scope = 'default' AND site_id IS NULL AND device_id IS NULL) OR
         (scope = 'site' AND site_id IS NOT NULL AND device_id IS NULL) OR
         (scope = 'device' AND device_id IS NOT NULL AND site_id IS NULL))
);
CREATE UNIQUE INDEX survey_assignments_default ON survey_assignments ((true))
  WHERE scope = 'default';
CREATE UNIQUE INDEX survey_assignments_site ON survey_assignments (site_id) WHERE scope = 'site';
CREATE UNIQUE INDEX survey_assignments_device ON survey_assignments (device_id)
  WHERE scope = 'device';

CREATE TABLE responses (
  device_id          text NOT NULL,
  event_id           uuid NOT NULL,
  seq                bigint NOT NULL CHECK (seq >= 1),
  site_id            bigint NOT NULL,
  survey_id          text NOT NULL,
  survey_version     integer NOT NULL,
  scale              smallint NOT NULL,
  face               smallint NOT NULL CHECK (face >= 0 AND face < scale),
  input              text NOT NULL,
  language           text NOT NULL,
  -- The tap's instant (repaired below when the kiosk's clock was not synchronised) and the same
  -- instant on the site's wall clock, for reports by local day and hour.
  time               timestamptz NOT NULL,
  local_time         timestamp NOT NULL,
  utc_offset_s       integer NOT NULL,
  misuse             boolean NOT NULL,
  misuse_rule        text,
  follow_up_id       text,
  follow_up_selected jsonb,
  follow_up_outcome  text,
  comment            text,
  contact_name       text,
  contact_email      text,
  contact_phone      text,
  boot_id            text NOT NULL,
  monotonic_ms       bigint NOT NULL,
  clock_synced       boolean NOT NULL,
  clock_corrected    boolean NOT NULL,   -- by the kiosk, later in the same boot
  clock_repaired     boolean NOT NULL DEFAULT false,  -- by the server, from a synced response
  received_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, event_id),
  UNIQUE (device_id, seq)
) PARTITION BY HASH (device_id);

CREATE TABLE responses_p00 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 0);
CREATE TABLE responses_p01 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 1);
CREATE TABLE responses_p02 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 2);
CREATE TABLE responses_p03 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 3);
CREATE TABLE responses_p04 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 4);
CREATE TABLE responses_p05 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 5);
CREATE TABLE responses_p06 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 6);
CREATE TABLE responses_p07 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 7);
CREATE TABLE responses_p08 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 8);
CREATE TABLE responses_p09 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 9);
CREATE TABLE responses_p10 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 10);
CREATE TABLE responses_p11 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 11);
CREATE TABLE responses_p12 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 12);
CREATE TABLE responses_p13 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 13);
CREATE TABLE responses_p14 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 14);
CREATE TABLE responses_p15 PARTITION OF responses FOR VALUES WITH (MODULUS 16, REMAINDER 15);

-- Reports by site and local day / hour.
CREATE INDEX responses_site_local ON responses (site_id, local_time);
-- Responses still waiting for a clock repair: few, so the index is small.
CREATE INDEX responses_unsynced ON responses (device_id, boot_id)
  WHERE NOT clock_synced AND NOT clock_corrected AND NOT clock_repaired;

-- The offset between a boot's monotonic clock and true time, learnt from its first synchronised
-- response: wall_us = monotonic_us + offset_us.
CREATE TABLE device_boots (
  device_id  text NOT NULL,
  boot_id    text NOT NULL,
  offset_us  bigint NOT NULL,
  learnt_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, boot_id)
);

CREATE TABLE heartbeats (
  device_id            text NOT NULL REFERENCES devices (id),
  received_at          timestamptz NOT NULL DEFAULT now(),
  version              text NOT NULL,
  uptime_s             bigint NOT NULL,
  queue_depth          bigint NOT NULL,
  oldest_pending_age_s bigint NOT NULL,
  dead_letter_count    bigint NOT NULL,
  last_upload_ok_at    text,
  last_error           text,
  clock_synced         boolean NOT NULL,
  survey_id            text,
  survey_version       bigint NOT NULL,
  last_seq             bigint NOT NULL
);
CREATE INDEX heartbeats_device_time ON heartbeats (device_id, received_at DESC);

-- The latest heartbeat of each device, for the fleet page.
CREATE TABLE device_health (
  device_id            text PRIMARY KEY REFERENCES devices (id),
  received_at          timestamptz NOT NULL,
  version              text NOT NULL,
  uptime_s             bigint NOT NULL,
  queue_depth          bigint NOT NULL,
  oldest_pending_age_s bigint NOT NULL,
  dead_letter_count    bigint NOT NULL,
  last_upload_ok_at    text,
  last_error           text,
  clock_synced         boolean NOT NULL,
  survey_id            text,
  survey_version       bigint NOT NULL,
  last_seq             bigint NOT NULL
);
