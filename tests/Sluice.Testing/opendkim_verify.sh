#!/bin/sh
# Verifies a message's DKIM signatures with OpenDKIM (opendkim-testmsg, Debian's opendkim-tools),
# independent of Sluice's code. opendkim-testmsg asks the system resolver, so it runs in a network
# and mount namespace of its own: there dnsmasq answers on 127.0.0.1:53 with the given TXT records
# and /etc/resolv.conf points at it; nothing outside the namespace is touched.
# Usage: opendkim_verify.sh MESSAGE_FILE RECORDS_FILE WORK_DIR
#   RECORDS_FILE: one record a line, "NAME VALUE" (VALUE without commas; split into DNS strings here).
# Exit status: opendkim-testmsg's (0: the signatures verify).
set -eu
message=$1 records=$2 work=$3
exec unshare --net --mount sh -eu -c '
  message=$1 records=$2 work=$3
  ip link set lo up
  set --
  while read -r name value; do
    set -- "$@" "--txt-record=$name,$(printf "%s" "$value" | fold -w 250 | paste -sd, -)"
  done < "$records"
  dnsmasq --no-resolv --no-hosts --conf-file=/dev/null --listen-address=127.0.0.1 --bind-interfaces --port=53 \
    --user=root --pid-file="$work/dnsmasq.pid" "$@"
  echo "nameserver 127.0.0.1" > "$work/resolv.conf"
  mount --bind "$work/resolv.conf" /etc/resolv.conf
  status=0
  opendkim-testmsg -C < "$message" || status=$?
  kill "$(cat "$work/dnsmasq.pid")"
  exit $status
' sh "$message" "$records" "$work"
