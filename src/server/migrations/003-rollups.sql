-- 003: rollups of responses by site and local day / hour, kept at ingest, so that a dashboard
-- page reads a few thousand rows instead of millions of responses.
--
-- Statement-level triggers with transition tables: one aggregated INSERT … ON CONFLICT DO UPDATE
-- per statement and rollup, however many rows the statement touched (a whole batch is one
-- INSERT). PostgreSQL 15 allows transition tables on a partitioned table's statement triggers
-- (the rows routed to every partition are in them), but only one event per such trigger, hence
-- one trigger per event. Each delta is written in key order, so two batches of the same site
-- lock the rollup rows they share in the same order and cannot deadlock. A count that falls to
-- zero stays as a row with n = 0: the readers sum, and a zero adds nothing.
--
-- The server's clock repair UPDATEs time and local_time: the UPDATE trigger subtracts the old
-- rows and adds the new ones, so the counts move to the repaired hour.

-- By site, local day and local hour (the hour × weekday map, the hours page).
CREATE TABLE rollup_hours (
  site_id     bigint NOT NULL,
  local_date  date NOT NULL,
  local_hour  smallint NOT NULL CHECK (local_hour >= 0 AND local_hour < 24),
  survey_id   text NOT NULL,
  scale       smallint NOT NULL,
  face        smallint NOT NULL,
  misuse      boolean NOT NULL,
  n           bigint NOT NULL,
  PRIMARY KEY (site_id, local_date, local_hour, survey_id, scale, face, misuse)
);

-- By site and local day (the overview, the comparison, the daily trend): 1/14 of rollup_hours.
CREATE TABLE rollup_days (
  site_id     bigint NOT NULL,
  local_date  date NOT NULL,
  survey_id   text NOT NULL,
  scale       smallint NOT NULL,
  face        smallint NOT NULL,
  misuse      boolean NOT NULL,
  n           bigint NOT NULL,
  PRIMARY KEY (site_id, local_date, survey_id, scale, face, misuse)
);

-- Follow-up answers by site, local day and face: one row per selected option, and option_id ''
-- counting the responses that selected at least one option (the denominator of a share).
CREATE TABLE rollup_reasons (
  site_id      bigint NOT NULL,
  local_date   date NOT NULL,
  survey_id    text NOT NULL,
  scale        smallint NOT NULL,
  face         smallint NOT NULL,
  follow_up_id text NOT NULL,
  option_id    text NOT NULL,
  misuse       boolean NOT NULL,
  n            bigint NOT NULL,
  PRIMARY KEY (site_id, local_date, survey_id, scale, face, follow_up_id, option_id, misuse)
);

-- The reasons of a set of response rows, one row per (response, option) plus one '' row per
-- response that selected anything. Used by the trigger functions below on their transition
-- tables; a set-returning function of a jsonb array, so it is inlined into the caller's plan.
CREATE FUNCTION rollup_options (selected jsonb) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT '' WHERE jsonb_typeof (selected) = 'array' AND jsonb_array_length (selected) > 0
    UNION ALL
    SELECT o FROM jsonb_array_elements_text (
      CASE WHEN jsonb_typeof (selected) = 'array' THEN selected ELSE '[]' END) AS o
  $$;

CREATE FUNCTION rollup_responses_insert () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    WITH d AS (
      SELECT site_id, local_time, survey_id, scale, face, misuse, follow_up_id,
             follow_up_selected, 1 AS sign
      FROM new_rows
    ), hours AS (
      INSERT INTO rollup_hours AS r
      SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint, survey_id,
             scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (site_id, local_date, local_hour, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    ), days AS (
      INSERT INTO rollup_days AS r
      SELECT site_id, local_time::date, survey_id, scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (site_id, local_date, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    )
    INSERT INTO rollup_reasons AS r
    SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse, sum (sign)
    FROM d, rollup_options (follow_up_selected) AS o
    WHERE follow_up_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (site_id, local_date, survey_id, scale, face, follow_up_id, option_id, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_responses_update () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    WITH d AS (
      SELECT site_id, local_time, survey_id, scale, face, misuse, follow_up_id,
             follow_up_selected, 1 AS sign
      FROM new_rows
      UNION ALL
      SELECT site_id, local_time, survey_id, scale, face, misuse, follow_up_id,
             follow_up_selected, -1 AS sign
      FROM old_rows
    ), hours AS (
      INSERT INTO rollup_hours AS r
      SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint, survey_id,
             scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum (sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (site_id, local_date, local_hour, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    ), days AS (
      INSERT INTO rollup_days AS r
      SELECT site_id, local_time::date, survey_id, scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum (sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (site_id, local_date, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    )
    INSERT INTO rollup_reasons AS r
    SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse, sum (sign)
    FROM d, rollup_options (follow_up_selected) AS o
    WHERE follow_up_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum (sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (site_id, local_date, survey_id, scale, face, follow_up_id, option_id, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_responses_delete () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    WITH d AS (
      SELECT site_id, local_time, survey_id, scale, face, misuse, follow_up_id,
             follow_up_selected, -1 AS sign
      FROM old_rows
    ), hours AS (
      INSERT INTO rollup_hours AS r
      SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint, survey_id,
             scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (site_id, local_date, local_hour, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    ), days AS (
      INSERT INTO rollup_days AS r
      SELECT site_id, local_time::date, survey_id, scale, face, misuse, sum (sign)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (site_id, local_date, survey_id, scale, face, misuse)
        DO UPDATE SET n = r.n + EXCLUDED.n
    )
    INSERT INTO rollup_reasons AS r
    SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse, sum (sign)
    FROM d, rollup_options (follow_up_selected) AS o
    WHERE follow_up_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (site_id, local_date, survey_id, scale, face, follow_up_id, option_id, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_responses_truncate () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    TRUNCATE rollup_hours, rollup_days, rollup_reasons;
    RETURN NULL;
  END
  $$;

CREATE TRIGGER responses_rollup_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_responses_insert ();
CREATE TRIGGER responses_rollup_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_responses_update ();
CREATE TRIGGER responses_rollup_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_responses_delete ();
CREATE TRIGGER responses_rollup_truncate AFTER TRUNCATE ON responses
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_responses_truncate ();

-- Responses stored before this migration.
INSERT INTO rollup_hours
  SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint, survey_id, scale,
         face, misuse, count (*)
  FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO rollup_days
  SELECT site_id, local_time::date, survey_id, scale, face, misuse, count (*)
  FROM responses GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_reasons
  SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse, count (*)
  FROM responses, rollup_options (follow_up_selected) AS o
  WHERE follow_up_id IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

-- The comments of a site, newest first, read a page at a time.
CREATE INDEX responses_site_comments ON responses (site_id, local_time DESC)
  WHERE comment IS NOT NULL;
