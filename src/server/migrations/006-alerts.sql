-- 006: alert rules and their episodes, scheduled reports, and the durable outbox that delivers
-- both by e-mail and webhook.

-- A rule watches one site, or every site of a group (each site on its own).
CREATE TABLE alert_rules (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  kind            text NOT NULL CHECK (kind IN ('unhappy-share', 'happy-index',
                                                 'very-unhappy-count', 'silent-kiosk')),
  site_id         bigint REFERENCES sites (id),
  group_id        bigint REFERENCES site_groups (id),
  -- unhappy-share: percent of the window's responses on the unhappy side (face below the
  -- middle); happy-index: the local day's Happy Index below this; very-unhappy-count: at least
  -- this many very unhappy in the window; silent-kiosk: unused (0)
  threshold       double precision NOT NULL,
  window_minutes  integer NOT NULL CHECK (window_minutes BETWEEN 1 AND 1440),
  min_responses   integer NOT NULL DEFAULT 4 CHECK (min_responses BETWEEN 1 AND 100000),
  emails          text[] NOT NULL DEFAULT '{}',
  webhook_url     text CHECK (webhook_url ~ '^https?://'),
  webhook_format  text NOT NULL DEFAULT 'json'
                  CHECK (webhook_format IN ('json', 'slack', 'mattermost', 'discord', 'teams',
                                            'google-chat')),
  language        text NOT NULL DEFAULT 'en',
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((site_id IS NULL) <> (group_id IS NULL)),
  CHECK (kind <> 'unhappy-share' OR (threshold > 0 AND threshold <= 100)),
  CHECK (kind <> 'happy-index' OR (threshold > 0 AND threshold <= 100)),
  CHECK (kind <> 'very-unhappy-count' OR (threshold >= 1 AND threshold <= 100000))
);

-- An episode: opened once when its rule starts to hold for a site (or, for silent-kiosk, a
-- kiosk), closed when the rule has not held for its window, kept for the history.
CREATE TABLE alert_episodes (
  id               bigserial PRIMARY KEY,
  rule_id          bigint NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  site_id          bigint NOT NULL REFERENCES sites (id),
  device_id        text NOT NULL DEFAULT '',   -- the silent kiosk; '' for a site's responses
  opened_at        timestamptz NOT NULL DEFAULT now(),
  last_held_at     timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz,
  value            double precision,   -- share, index, count or silent minutes when it opened
  responses        integer NOT NULL DEFAULT 0,   -- counted in the window when it opened
  peak_value       double precision,
  -- [{"follow_up": id, "option": id, "label": text, "n": count}], the top three
  reasons          jsonb NOT NULL DEFAULT '[]',
  -- [{"time": iso, "local_time": "YYYY-MM-DD HH:MM", "face": f, "scale": s, "text": comment}]
  comments         jsonb NOT NULL DEFAULT '[]',
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  ack_comment      text
);
-- At most one open episode per rule and site (and kiosk), whatever runs the evaluation.
CREATE UNIQUE INDEX alert_episodes_open ON alert_episodes (rule_id, site_id, device_id)
  WHERE closed_at IS NULL;
CREATE INDEX alert_episodes_site ON alert_episodes (site_id, opened_at DESC);

CREATE TABLE report_schedules (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  period      text NOT NULL CHECK (period IN ('daily', 'weekly')),
  site_id     bigint REFERENCES sites (id),
  group_id    bigint REFERENCES site_groups (id),
  emails      text[] NOT NULL CHECK (cardinality (emails) >= 1),
  language    text NOT NULL DEFAULT 'en',
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((site_id IS NULL) <> (group_id IS NULL))
);

-- Each period of a schedule is sent once: its row is written in the transaction that queues
-- the mails.
CREATE TABLE report_runs (
  schedule_id   bigint NOT NULL REFERENCES report_schedules (id) ON DELETE CASCADE,
  period_start  date NOT NULL,   -- the first local day of the period
  period_end    date NOT NULL,   -- the last, included
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, period_start)
);

-- The outbox: one row per recipient (an address or a webhook URL), written in the transaction
-- that opened or closed the episode or recorded the report's run, so that a restart loses none
-- and a row is sent until it is marked sent.
CREATE TABLE deliveries (
  id               bigserial PRIMARY KEY,
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
  target           text NOT NULL,   -- the recipient's address, or the webhook's URL
  subject          text NOT NULL,   -- for lists and logs
  content_type     text NOT NULL,   -- message/rfc822 for mail; the POST's type for webhooks
  payload          bytea NOT NULL,  -- the whole message (headers and body), or the POST body
  episode_id       bigint REFERENCES alert_episodes (id) ON DELETE SET NULL,
  schedule_id      bigint REFERENCES report_schedules (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  sent_at          timestamptz,
  failed_at        timestamptz      -- given up (see [alerts] give-up-after)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
  WHERE sent_at IS NULL AND failed_at IS NULL;
