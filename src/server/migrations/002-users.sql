-- 002: the dashboard's people, what they may see, their sessions and their sign-in attempts.
--
-- Sessions and attempts live here rather than in a server process, so that several stateless
-- servers behind one load balancer agree on who is signed in and on who is being throttled.

CREATE TABLE users (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  -- crypt(3), yescrypt by default: the password itself is never stored
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'viewer')),
  -- a po/LINGUAS code or 'en'; NULL: the browser's Accept-Language decides
  language       text CHECK (language ~ '^[a-z]{2,3}$'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled       boolean NOT NULL DEFAULT false
);

-- A viewer sees its own sites and every site of its groups; an admin sees everything.
CREATE TABLE user_sites (
  user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id  bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, site_id)
);

CREATE TABLE user_groups (
  user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  group_id  bigint NOT NULL REFERENCES site_groups (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, group_id)
);

CREATE TABLE sessions (
  -- SHA-256 of the cookie's 256 random bits: a copy of this table signs nobody in
  token_hash  bytea PRIMARY KEY CHECK (length (token_hash) = 32),
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  -- the absolute end (7 days); the idle end (8 hours) is last_seen's
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_attempts (
  name     text NOT NULL,      -- as typed (lower case), known user or not
  address  text NOT NULL,
  at       timestamptz NOT NULL DEFAULT now(),
  ok       boolean NOT NULL
);
CREATE INDEX login_attempts_name ON login_attempts (name, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
