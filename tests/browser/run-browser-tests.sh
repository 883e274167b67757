#!/bin/sh
# run-browser-tests.sh: the dashboard in a real browser. Starts a private PostgreSQL
# (packaging/pg-cluster.sh) and smiley-kiosk-server ($SMILEY_KIOSK_SERVER_BINARY) on free ports,
# adds three sites, five kiosks, an admin and a viewer through the server's own commands, loads
# four weeks of responses through the real responses table (so the rollup triggers fill the
# rollups), and runs dashboard.test.mjs (Debian's Chromium driven by playwright-core, axe-core
# on every page). TAP on stdout; "1..0 # SKIP reason" when Chromium, Node, the npm packages or
# PostgreSQL are missing.
#   SMILEY_KIOSK_CHROMIUM        the browser (default /usr/bin/chromium)
#   SMILEY_KIOSK_SCREENSHOTS     where the screenshots go (default: a directory that is removed
#                                afterwards); docs/dashboard to refresh the documentation's
#   SMILEY_KIOSK_BROWSER_KEEP=1  keep the temporary directory (server and PostgreSQL logs)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
chromium=${SMILEY_KIOSK_CHROMIUM:-/usr/bin/chromium}
server_bin=${SMILEY_KIOSK_SERVER_BINARY:-}

skip () {
  echo "1..0 # SKIP $*"
  exit 0
}

[ -x "$chromium" ] || skip "no Chromium at $chromium (apt-get install chromium)"
command -v node >/dev/null 2>&1 || skip "no node (apt-get install nodejs npm)"
[ -d "$here/node_modules/playwright-core" ] && [ -d "$here/node_modules/axe-core" ] \
  || skip "tests/browser/node_modules is missing (npm ci --prefix tests/browser)"
[ -n "$server_bin" ] && [ -x "$server_bin" ] \
  || skip "SMILEY_KIOSK_SERVER_BINARY does not name the built server ('$server_bin')"
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || bindir=/usr/lib/postgresql/15/bin
[ -x "$bindir/initdb" ] || skip "PostgreSQL is not installed (apt-get install postgresql)"
psql=$bindir/psql
[ -x "$psql" ] || psql=$(command -v psql) || skip "no psql (apt-get install postgresql-client)"

tmp=$(mktemp -d /tmp/sk-browser.XXXXXX)
# PostgreSQL runs as nobody when we are root: it must reach $tmp/pg.
chmod 755 "$tmp"
server_pid=
cleanup () {
  status=$?
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -f "$tmp/pg/data/PG_VERSION" ]; then
    sh "$top/packaging/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ] || [ -n "${SMILEY_KIOSK_BROWSER_KEEP:-}" ]; then
    echo "# kept $tmp (server.log, pg/postgres.log)" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail () {
  echo "Bail out! $*"
  exit 1
}

conninfo=$(sh "$top/packaging/pg-cluster.sh" start "$tmp/pg" 2>"$tmp/pg-start.log" | tail -n 1) \
  || fail "PostgreSQL did not start: $(cat "$tmp/pg-start.log")"

server () {
  "$server_bin" --database "$conninfo" "$@" >>"$tmp/commands.log" 2>&1 \
    || fail "smiley-kiosk-server $*: $(tail -n 5 "$tmp/commands.log")"
}
sql () {
  "$psql" -X -q -v ON_ERROR_STOP=1 -t -A "$conninfo" "$@" 2>>"$tmp/sql.log" \
    || fail "psql: $(tail -n 5 "$tmp/sql.log")"
}

# The server's own commands, as an installer would use them (they also migrate the database).
server group add north --title "North"
server site add berlin-mitte --time-zone Europe/Berlin --title "Berlin Mitte" --type retail \
  --country DE --group north
server site add hamburg-harbour --time-zone Europe/Berlin --title "Hamburg Harbour" \
  --type retail --country DE --group north
server site add hel-airport --time-zone Europe/Helsinki --title "Helsinki Airport, Gate 12" \
  --type airport --country FI --hours monday=06:00-22:00 --hours tuesday=06:00-22:00 \
  --hours wednesday=06:00-22:00 --hours thursday=06:00-22:00 --hours friday=06:00-22:00 \
  --hours saturday=07:00-21:00 --hours sunday=07:00-21:00
server device add bm-entrance --site berlin-mitte
server device add bm-checkout --site berlin-mitte
server device add hh-quay --site hamburg-harbour
server device add hel-gate12 --site hel-airport
server device add hel-spare --site hel-airport
server survey publish "$top/data/demo-survey.json" --default
server survey publish "$top/tests/data/survey-small.json" --site berlin-mitte
admin_name=anna.admin
admin_password="a long admin password"
viewer_name=ville.viewer
viewer_password="the viewer's long password"
printf '%s\n' "$admin_password" | server user add "$admin_name" --admin
printf '%s\n' "$viewer_password" | server user add "$viewer_name" --viewer --sites berlin-mitte

# Four weeks of responses, by plan: generic hours 08–19 on days 1–27 before the site's today,
# faces from a fixed pattern (each site its own mix), survey small-shop at noon on even days in
# Berlin Mitte, reasons on some unhappy and happy answers. Berlin Mitte's day 3 before today is
# HappyOrNot's example instead: 126 / 60 / 16 / 17 → 78 (n = 219), and 5 very unhappy answers
# flagged as misuse (76 with them, n = 224), with the comments a manager must see as written.
# Local wall-clock times are turned into instants in each site's zone, so the test reads the same
# on any day of the year.
sql <<'SQL'
CREATE TEMP TABLE plan (device_id text, local timestamp, survey_id text, face int,
                        misuse boolean DEFAULT false, follow_up_id text, selected jsonb,
                        comment text, language text DEFAULT 'en');

INSERT INTO plan (device_id, local, survey_id, face, follow_up_id, selected)
SELECT d.id, day + make_interval (hours => h, mins => (i * 7) % 60),
       CASE WHEN d.site = 'berlin-mitte' AND h = 12 AND ago % 2 = 0 THEN 'small-shop'
            ELSE 'demo' END,
       f.face,
       CASE WHEN f.face <= 1 AND i % 2 = 0 THEN 'improve'
            WHEN f.face = 3 AND i % 3 = 0 THEN 'liked' END,
       CASE WHEN f.face <= 1 AND i % 2 = 0
              THEN jsonb_build_array ((ARRAY['waiting-time', 'staff', 'cleanliness',
                                             'prices'])[1 + (ago + h) % 4])
            WHEN f.face = 3 AND i % 3 = 0
              THEN jsonb_build_array ((ARRAY['staff', 'speed', 'selection'])[1 + ago % 3]) END
FROM (VALUES ('bm-entrance', 'berlin-mitte', 0), ('bm-checkout', 'berlin-mitte', 1),
             ('hh-quay', 'hamburg-harbour', 2), ('hel-gate12', 'hel-airport', 3)) d (id, site, bias)
JOIN sites s ON s.name = d.site,
     generate_series (1, 27) ago,
     LATERAL (SELECT (now () AT TIME ZONE s.time_zone)::date - ago AS day) x,
     generate_series (8, 19) h,
     generate_series (1, 2 + (ago * 7 + h * 3 + d.bias) % 5) i,
     LATERAL (SELECT CASE WHEN r < 5 - d.bias THEN 3 WHEN r < 7 THEN 2 WHEN r < 9 THEN 1
                          ELSE 0 END AS face
              FROM (SELECT (ago * 13 + h * 7 + i * 5 + d.bias) % 10 AS r) y) f
WHERE NOT (d.site = 'berlin-mitte' AND ago = 3);

-- Berlin Mitte, day 3: HappyOrNot's example, over the two kiosks.
INSERT INTO plan (device_id, local, survey_id, face, follow_up_id, selected)
SELECT CASE WHEN g % 2 = 0 THEN 'bm-entrance' ELSE 'bm-checkout' END,
       day + time '09:00' + (g * interval '20 seconds'), 'demo', face,
       CASE WHEN face = 3 AND g <= 30 THEN 'liked'
            WHEN face = 1 THEN 'improve'
            WHEN face = 0 AND g <= 5 THEN 'improve' END,
       CASE WHEN face = 3 AND g <= 30 THEN '["speed"]'::jsonb
            WHEN face = 1 AND g <= 10 THEN '["waiting-time"]'
            WHEN face = 1 THEN '["waiting-time", "staff"]'
            WHEN face = 0 AND g <= 5 THEN '["staff"]' END
FROM (SELECT (now () AT TIME ZONE 'Europe/Berlin')::date - 3 AS day) x,
     (VALUES (3, 126), (2, 60), (1, 16), (0, 17)) c (face, n),
     generate_series (1, c.n) g;
INSERT INTO plan (device_id, local, survey_id, face, misuse, follow_up_id, selected, comment)
SELECT 'bm-checkout', (now () AT TIME ZONE 'Europe/Berlin')::date - 3 + time '15:00'
       + g * interval '2 seconds', 'demo', 0, true, 'improve', '["staff"]',
       CASE WHEN g = 1 THEN 'spam spam spam' END
FROM generate_series (1, 5) g;

-- Comments ride on answers counted above: they change no figure.
UPDATE plan SET comment = '<script>alert("xss")</script> Kassen zu langsam', language = 'de'
WHERE ctid = (SELECT ctid FROM plan WHERE device_id = 'bm-checkout' AND face = 1 AND NOT misuse
              AND local::date = (now () AT TIME ZONE 'Europe/Berlin')::date - 3 LIMIT 1);
UPDATE plan SET comment = 'Très bien, le café était délicieux – à bientôt', language = 'fr'
WHERE ctid = (SELECT ctid FROM plan WHERE device_id = 'bm-entrance' AND face = 3
              AND local::date = (now () AT TIME ZONE 'Europe/Berlin')::date - 3 LIMIT 1);
UPDATE plan SET comment = 'Super Service 😀👍🏽'
WHERE ctid = (SELECT ctid FROM plan WHERE device_id = 'bm-entrance' AND face = 2
              AND local::date = (now () AT TIME ZONE 'Europe/Berlin')::date - 3 LIMIT 1);
UPDATE plan SET comment = 'Jonot olivat pitkiä, mutta henkilökunta oli ystävällistä',
                language = 'fi'
WHERE ctid = (SELECT ctid FROM plan WHERE device_id = 'hel-gate12' AND face = 1 LIMIT 1);

INSERT INTO responses (device_id, event_id, seq, site_id, survey_id, survey_version, scale, face,
                       input, language, time, local_time, utc_offset_s, misuse, misuse_rule,
                       follow_up_id, follow_up_selected, comment, boot_id, monotonic_ms,
                       clock_synced, clock_corrected)
SELECT p.device_id, gen_random_uuid (),
       row_number () OVER (PARTITION BY p.device_id ORDER BY p.local), d.site_id, p.survey_id,
       v.version, 4, p.face, 'touch', p.language, t, t AT TIME ZONE s.time_zone,
       extract (epoch FROM (t AT TIME ZONE s.time_zone) - (t AT TIME ZONE 'UTC'))::int,
       p.misuse, CASE WHEN p.misuse THEN 'response-interval' END, p.follow_up_id, p.selected,
       p.comment,
       'boot-1', 1000, true, false
FROM plan p JOIN devices d ON d.id = p.device_id JOIN sites s ON s.id = d.site_id
JOIN (SELECT survey_id, max (version) AS version FROM surveys GROUP BY 1) v
  ON v.survey_id = p.survey_id,
     LATERAL (SELECT p.local AT TIME ZONE s.time_zone AS t) x;

-- The kiosks' latest heartbeats: bm-checkout silent for three hours (Berlin Mitte has no
-- opening hours: always open), hel-spare never heard.
INSERT INTO device_health (device_id, received_at, version, uptime_s, queue_depth,
                           oldest_pending_age_s, dead_letter_count, last_upload_ok_at,
                           last_error, clock_synced, survey_id, survey_version, last_seq)
VALUES ('bm-entrance', now () - interval '1 minute', '1.4.0', 86400, 0, 0, 0, NULL, NULL, true,
        'small-shop', 3, 0),
       ('bm-checkout', now () - interval '3 hours', '1.4.0', 3600, 12, 10800, 1, NULL,
        'upload: could not connect to the server', false, 'small-shop', 3, 0),
       ('hh-quay', now () - interval '30 seconds', '1.3.2', 172800, 2, 95, 0, NULL, NULL, true,
        'demo', 1, 0),
       ('hel-gate12', now () - interval '2 minutes', '1.4.0', 7200, 0, 0, 0, NULL, NULL, true,
        'demo', 1, 0);

-- Alerts: an open unhappy share at Berlin Mitte with the reasons and comments it kept, an open
-- count at Hamburg Harbour, and a closed, acknowledged one for the history. Each was held a
-- minute ago and watches an hour, so the server's own evaluation leaves them open for the test.
INSERT INTO alert_rules (name, kind, site_id, threshold, window_minutes, min_responses, emails)
SELECT r.name, r.kind, s.id, r.threshold, 60, 4, '{manager@example.org}'
FROM (VALUES ('berlin-lunch', 'unhappy-share', 'berlin-mitte', 50),
             ('harbour-very-unhappy', 'very-unhappy-count', 'hamburg-harbour', 3))
     r (name, kind, site, threshold)
JOIN sites s ON s.name = r.site;
INSERT INTO alert_episodes (rule_id, site_id, opened_at, last_held_at, closed_at, value,
                            responses, reasons, comments, acknowledged_at, acknowledged_by,
                            ack_comment)
SELECT r.id, r.site_id, now () - e.opened, now () - interval '1 minute', now () - e.closed,
       e.value, e.responses, e.reasons::jsonb, e.comments::jsonb, now () - e.acknowledged,
       e.acknowledged_by, e.ack_comment
FROM (VALUES ('berlin-lunch', interval '25 minutes', NULL::interval, 62.0, 8,
              '[{"follow_up": "improve", "option": "waiting-time", "label": "Waiting time", "n": 4},
                {"follow_up": "improve", "option": "staff", "label": "Staff", "n": 2},
                {"follow_up": "improve", "option": "cleanliness", "label": "Cleanliness", "n": 1}]',
              jsonb_build_array (
                jsonb_build_object ('time', now () - interval '3 minutes', 'local_time',
                  to_char ((now () - interval '3 minutes') AT TIME ZONE 'Europe/Berlin',
                           'YYYY-MM-DD HH24:MI'),
                  'face', 0, 'scale', 4,
                  'text', 'Only one till open, the queue reached the door'),
                jsonb_build_object ('time', now () - interval '9 minutes', 'local_time',
                  to_char ((now () - interval '9 minutes') AT TIME ZONE 'Europe/Berlin',
                           'YYYY-MM-DD HH24:MI'),
                  'face', 1, 'scale', 4, 'text', '<b>Waited</b> twenty minutes'))::text,
              NULL::interval, NULL, NULL),
             ('harbour-very-unhappy', interval '10 minutes', NULL, 5.0, 9, '[]', '[]', NULL, NULL,
              NULL),
             ('berlin-lunch', interval '2 days', interval '2 days' - interval '40 minutes', 55.0,
              11, '[]', '[]', interval '2 days' - interval '10 minutes', 'anna.admin',
              'A second till opened'))
     e (rule, opened, closed, value, responses, reasons, comments, acknowledged,
        acknowledged_by, ack_comment)
JOIN alert_rules r ON r.name = e.rule;
SQL

# What the pages must show, from the responses themselves (not the rollups): the Happy Index of
# each site over its last 30 local days (today included), rounded as the dashboard rounds.
expected=$(sql <<'SQL'
WITH r AS (
  SELECT s.name, r.survey_id, r.misuse, r.face, r.scale, r.local_time::date AS day,
         (now () AT TIME ZONE s.time_zone)::date AS today
  FROM responses r JOIN sites s ON s.id = r.site_id
), agg AS (
  SELECT name, k.key,
         count (*) FILTER (WHERE k.ok) AS n,
         round (avg (face * 100.0 / (scale - 1)) FILTER (WHERE k.ok)) AS idx
  FROM r, LATERAL (VALUES ('all', NOT misuse), ('misuse', true),
                          ('small-shop', NOT misuse AND survey_id = 'small-shop')) k (key, ok)
  WHERE day > today - 30
  GROUP BY 1, 2
)
SELECT json_build_object (
  'knownDay', ((now () AT TIME ZONE 'Europe/Berlin')::date - 3)::text,
  'month', (SELECT json_object_agg (name || ':' || key, json_build_object ('n', n, 'index', idx))
            FROM agg))
SQL
)

# The server on free ports; the dashboard's URL from its second line.
"$server_bin" --database "$conninfo" serve --listen 127.0.0.1:0 \
  --dashboard-listen 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
url=
i=0
while [ -z "$url" ]; do
  url=$(sed -n 's|.*: dashboard on http://127\.0\.0\.1:\([0-9]*\)$|http://localhost:\1|p' \
          "$tmp/server.out")
  if [ -z "$url" ]; then
    kill -0 "$server_pid" 2>/dev/null \
      || fail "smiley-kiosk-server ended before it listened: $(tail -n 5 "$tmp/server.log")"
    [ $i -lt 300 ] || fail "smiley-kiosk-server did not listen within 30 s"
    i=$((i + 1))
    sleep 0.1
  fi
done

shots=${SMILEY_KIOSK_SCREENSHOTS:-$tmp/screenshots}
case "$shots" in
  /*) ;;
  *) shots=$top/$shots ;;
esac

status=0
DASH_URL=$url DASH_ADMIN=$admin_name DASH_ADMIN_PASSWORD=$admin_password \
DASH_VIEWER=$viewer_name DASH_VIEWER_PASSWORD=$viewer_password DASH_EXPECTED=$expected \
DASH_SCREENSHOTS=$shots DASH_DOWNLOADS=$tmp/downloads CHROMIUM=$chromium \
  node "$here/dashboard.test.mjs" || status=$?
exit "$status"
