-- 005: what the comparison and the filter's survey list read without scanning rollup_days.
--
-- The comparison sums every site over a date range: rollup_days' primary key leads with the
-- site, so any range read the whole table (384 000 rows for 10 000 000 responses: 180-400 ms).
-- A range is now whole months from rollup_months (one row per site, month and survey, scale,
-- face and misuse: 1/30 of rollup_days) and the days at its ends from rollup_days by local_date.

CREATE TABLE rollup_months (
  site_id     bigint NOT NULL,
  month       date NOT NULL CHECK (extract (day FROM month) = 1),   -- the month's first day
  survey_id   text NOT NULL,
  scale       smallint NOT NULL,
  face        smallint NOT NULL,
  misuse      boolean NOT NULL,
  n           bigint NOT NULL,
  PRIMARY KEY (site_id, month, survey_id, scale, face, misuse)
);

-- Kept like the rollups of migration 003, by statement triggers of their own on responses: one
-- aggregated INSERT … ON CONFLICT DO UPDATE per statement, in key order; a count that falls to
-- zero stays as a row with n = 0.
CREATE FUNCTION rollup_months_insert () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO rollup_months AS r
    SELECT site_id, date_trunc ('month', local_time)::date, survey_id, scale, face, misuse,
           count (*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (site_id, month, survey_id, scale, face, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_months_update () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO rollup_months AS r
    SELECT site_id, date_trunc ('month', local_time)::date, survey_id, scale, face, misuse,
           sum (sign)
    FROM (SELECT site_id, local_time, survey_id, scale, face, misuse, 1 AS sign FROM new_rows
          UNION ALL
          SELECT site_id, local_time, survey_id, scale, face, misuse, -1 FROM old_rows) d
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum (sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (site_id, month, survey_id, scale, face, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_months_delete () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO rollup_months AS r
    SELECT site_id, date_trunc ('month', local_time)::date, survey_id, scale, face, misuse,
           -count (*)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (site_id, month, survey_id, scale, face, misuse)
      DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  END
  $$;

CREATE FUNCTION rollup_months_truncate () RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    TRUNCATE rollup_months;
    RETURN NULL;
  END
  $$;

CREATE TRIGGER responses_rollup_months_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_months_insert ();
CREATE TRIGGER responses_rollup_months_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_months_update ();
CREATE TRIGGER responses_rollup_months_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_months_delete ();
CREATE TRIGGER responses_rollup_months_truncate AFTER TRUNCATE ON responses
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_months_truncate ();

-- Responses stored before this migration: from rollup_days, which holds the same counts (1/30
-- of the rows to read); a day's zero rows add nothing.
INSERT INTO rollup_months
  SELECT site_id, date_trunc ('month', local_date)::date, survey_id, scale, face, misuse, sum (n)
  FROM rollup_days GROUP BY 1, 2, 3, 4, 5, 6;

-- A range's months, for every site.
CREATE INDEX rollup_months_month ON rollup_months (month);

-- The days at a range's ends, for every site (the comparison). Not covering n: an index on n
-- would make every count's update a non-HOT one, at each batch of ingest.
CREATE INDEX rollup_days_date ON rollup_days (local_date);

-- Whether a user's sites answered a survey (the filter's survey list): an index probe per survey
-- and site, where the primary key read every row of the sites.
CREATE INDEX rollup_days_survey_site ON rollup_days (survey_id, site_id);

-- Statistics for the planner now, not at autovacuum's next round.
ANALYZE rollup_months;
