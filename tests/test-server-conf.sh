#!/bin/sh
# test-server-conf.sh SERVER EXAMPLE: the commented example server.conf shipped for IT staff
# passes `check-config` as shipped, documents every key the server knows, and passes again with
# every documented key uncommented (the TLS files pointed at real ones). A misspelt key fails
# with FILE:LINE. TAP output.
set -u

server=$1
example=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

result () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=$((failed + 1))
    sed 's/^/# /' "$tmp/out"
  fi
}

"$server" --config "$example" check-config > "$tmp/out" 2>&1
result $? "as shipped: check-config passes"

# The keys the server knows, as src/server/kiosk-server-config.c lists them.
missing=""
for key in conninfo listen threads max-connections connection-timeout tls-certificate tls-key \
           heartbeat-days secure-cookies public-url interval retry give-up-after relay from \
           starttls username password-file; do
  grep -q "^#$key=" "$example" || missing="$missing $key"
done
echo "missing:$missing" > "$tmp/out"
[ -z "$missing" ]
result $? "every key is documented with a commented #key=default line"

: > "$tmp/cert.pem"
: > "$tmp/key.pem"
echo secret > "$tmp/mail-password"
sed -e 's/^#\([a-z-]*=\)/\1/' \
    -e "s|^tls-certificate=.*|tls-certificate=$tmp/cert.pem|" \
    -e "s|^tls-key=.*|tls-key=$tmp/key.pem|" \
    -e "s|^password-file=.*|password-file=$tmp/mail-password|" "$example" > "$tmp/all.conf"
keys=$(grep -c '^[a-z-]*=' "$tmp/all.conf")
"$server" --config "$tmp/all.conf" check-config > "$tmp/out" 2>&1
status=$?
echo "uncommented keys: $keys" >> "$tmp/out"
[ "$status" -eq 0 ] && [ "$keys" -eq 20 ]
result $? "every key uncommented ($keys keys): check-config passes"

# Only the first threads= ([http]'s); [dashboard] has one too.
sed '0,/^threads=/s//thread=/' "$tmp/all.conf" > "$tmp/bad.conf"
"$server" --config "$tmp/bad.conf" check-config > "$tmp/out" 2>&1
status=$?
line=$(grep -n '^thread=' "$tmp/bad.conf" | cut -d: -f1)
[ "$status" -eq 2 ] && grep -q "^$tmp/bad.conf:$line: \[http\] thread: unknown key" "$tmp/out"
result $? "a misspelt key: exit status 2 and FILE:$line: [http] thread: unknown key"

echo "1..$n"
[ "$failed" -eq 0 ]
