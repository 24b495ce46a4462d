# Shared helpers for the benchmark scripts (sourced, not run).

# A TCP port on 127.0.0.1 that nothing listens on right now, below Linux's ephemeral range
# (32768–60999): a benchmark that opens a connection per message churns through that range, and a
# port picked there can be taken by an outgoing connection before the server binds it.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Waits (up to 20 s) until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing listens on port $1" >&2
  return 1
}

# CPU ticks of a process and its waited-for children, plus its live children (Postfix forks smtpd/cleanup/smtp).
cpu_ticks() {
  local pid=$1 total child
  total=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat")
  for child in $(pgrep -P "$pid" || true); do
    total=$((total + $(awk '{print $14+$15+$16+$17}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# A private Postfix instance in $1 (never the system one): copies the package's support files,
# creates the queue folders with Postfix's ownership and writes the settings every benchmark shares
# to etc/main.cf. The caller appends its own settings to etc/main.cf and writes etc/master.cf.
postfix_prepare() {
  local dir=$1
  mkdir -p "$dir"/{etc,queue,data}
  cp /etc/postfix/postfix-files "$dir/etc/"
  [ -d /etc/postfix/postfix-files.d ] && cp -r /etc/postfix/postfix-files.d "$dir/etc/"
  [ -f /etc/postfix/dynamicmaps.cf ] && cp /etc/postfix/dynamicmaps.cf "$dir/etc/"
  [ -d /etc/postfix/dynamicmaps.cf.d ] && cp -r /etc/postfix/dynamicmaps.cf.d "$dir/etc/"
  (cd "$dir/queue" && for d in incoming active deferred defer bounce corrupt hold saved trace flush private; do mkdir -p $d; chown postfix:root $d; chmod 700 $d; done
   mkdir -p public maildrop pid && chown postfix:postdrop public maildrop && chmod 710 public && chmod 730 maildrop)
  chown postfix "$dir/data"
  cat > "$dir/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $dir/etc
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = bench.localdomain
mydestination =
alias_maps =
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 100
maillog_file = /dev/stdout
CF
}

# Waits (up to 30 s) until a node on HTTP port $1 says it is ready (/readyz 200): its SMTP port
# listens before a cluster node's queue is connected, and a 451 then would end smtp-source's run.
wait_ready() {
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz" 2>/dev/null)" = 200 ] && return 0
    sleep 0.05
  done
  echo "the node on HTTP port $1 did not become ready" >&2
  return 1
}

# With BASELINE=<commit>: builds that commit (a git worktree under $WORK) into $WORK/baseline-bin,
# for a before/after in the same runs. remove_baseline (in a script's cleanup) takes the worktree away.
build_baseline() {
  [ -n "${BASELINE:-}" ] || return 0
  echo "== building the baseline $BASELINE"
  git worktree add --detach "$WORK/baseline-src" "$BASELINE" >/dev/null
  dotnet build "$WORK/baseline-src/src/Sluice" -c Release -nologo -v quiet -o "$WORK/baseline-bin" >/dev/null
}
remove_baseline() {
  [ -n "${BASELINE:-}" ] && git worktree remove --force "$WORK/baseline-src" >/dev/null 2>&1 || true
}

# Builds the Sluice executable (Release) the benchmarks run.
build_sluice() {
  echo "== building Sluice (Release)"
  dotnet build src/Sluice -c Release -nologo -v quiet >/dev/null
}

# Starts Postfix's smtp-sink on a free port; sets SINK_PORT and SINK_PID (the caller stops it).
start_smtp_sink() {
  local log=$1
  SINK_PORT=$(free_port)
  smtp-sink -u postfix -c "127.0.0.1:$SINK_PORT" 1000 >"$log" 2>&1 &
  SINK_PID=$!
  wait_port "$SINK_PORT"
}

# A node's admin API key (DATA/admin.key, written at its first start; waits up to 10 s for it).
sluice_admin_key() {
  local data=$1
  for _ in $(seq 1 100); do [ -f "$data/admin.key" ] && break; sleep 0.1; done
  cat "$data/admin.key"
}

# A request to a node's HTTP API with its admin key: sluice_api DATA HTTP_PORT PATH [curl args…].
sluice_api() {
  local data=$1 port=$2 path=$3
  shift 3
  curl -s -H "Authorization: Bearer $(sluice_admin_key "$data")" "$@" "http://127.0.0.1:$port$path"
}

# Messages in a node's queue.
sluice_queue_total() { sluice_api "$1" "$2" /api/v1/queue/summary | sed -E 's/.*"total":([0-9]+).*/\1/'; }

# A fresh workspace for one benchmark run: sets WORK (a temp folder named after $1) and PIDS (the
# processes the run starts); on exit every PID is stopped and WORK removed (KEEP=1 keeps it).
bench_workspace() {
  WORK=$(mktemp -d "/tmp/sluice-$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}

# A private Postfix configured exactly as ../shared/bench/postfix-reference.cf says (the reference
# peer of the relay and accept benchmarks): that file with DIR and PORT_SINK filled in, plus
# $3 (extra main.cf lines, e.g. a HOLD for accept-only runs); master.cf is Debian's master.cf.dist
# with one smtpd on 127.0.0.1:$2 and chroot = n everywhere. Sets PF_DIR; the caller starts it.
postfix_reference() {
  local dir=$1 port=$2 extra=${3:-} reference=bench/postfix-reference.cf
  # bench/postfix-reference.cf is a verbatim copy of the shared reference, so a fresh clone has it.
  if [ -f ../shared/bench/postfix-reference.cf ] && ! cmp -s ../shared/bench/postfix-reference.cf "$reference"; then
    echo "warning: bench/postfix-reference.cf differs from ../shared/bench/postfix-reference.cf; using the shared one" >&2
    reference=../shared/bench/postfix-reference.cf
  fi
  postfix_prepare "$dir"
  sed -e "s|DIR|$dir|g" -e "s|PORT_SINK|${SINK_PORT:-25}|g" "$reference" >"$dir/etc/main.cf"
  # Only a path is added: Postfix writes maillog_file only under maillog_file_prefixes (/var by default).
  echo "maillog_file_prefixes = $dir" >>"$dir/etc/main.cf"
  [ -n "$extra" ] && printf '%s\n' "$extra" >>"$dir/etc/main.cf"
  awk -v port="$port" '
    /^#/ || /^[ \t]/ || NF < 8 { print; next }
    $1 == "smtp" && $2 == "inet" { $1 = "127.0.0.1:" port; $5 = "n"; print; next }
    { $5 = "n"; print }' /usr/share/postfix/master.cf.dist >"$dir/etc/master.cf"
  touch "$dir/maillog"; chown postfix "$dir/maillog"
  PF_DIR=$dir
}

# Starts smtp-sink -c (counting, log in $WORK/sink.log) and the reference Postfix (postfix_reference)
# relaying to it, in $PF_DIR; sets SINK_PORT, SINK_PID, PF_PORT and PF_MASTER and adds the PIDs to PIDS.
start_sink_and_postfix() {
  SINK_PORT=$(free_port)
  smtp-sink -c -u postfix "127.0.0.1:$SINK_PORT" 1000 >"$WORK/sink.log" 2>&1 &
  SINK_PID=$!; PIDS+=("$SINK_PID")
  wait_port "$SINK_PORT"
  echo "== starting Postfix (reference configuration) relaying to the sink"
  PF_PORT=$(free_port)
  postfix_reference "$PF_DIR" "$PF_PORT"
  postfix -c "$PF_DIR/etc" start-fg >"$WORK/postfix.log" 2>&1 &
  PIDS+=($!)
  wait_port "$PF_PORT"
  PF_MASTER=$(tr -d ' ' < "$PF_DIR/queue/pid/master.pid")
}

# Machine-wide busy and total CPU ticks (for the busy share of a run).
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }

# Messages smtp-sink -c has counted so far (its log holds "sess=N quit=N mesg=N" updates).
sink_count() { tail -c 300 "$1" | tr '\r' '\n' | awk -F'mesg=' 'NF > 1 { n = $2 } END { print n + 0 }'; }

# The memory (KiB) of a process and its children now: the sum of their proportional set sizes
# (PSS: shared pages divided among the processes sharing them, so Postfix's many processes are not
# charged each library once per process).
tree_rss() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

median() { sort -n | awk '{a[NR]=$1} END{ if (NR == 0) print 0; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'; }

# start_listening NAME "ENV…" COMMAND… : runs COMMAND with the environment words ENV in the
# background, with {PORT} and {HTTP} in its arguments replaced by free ports; sets <NAME>_PORT and
# <NAME>_PID, adds the PID to PIDS, logs to $WORK/NAME.log and waits until {PORT} listens.
start_listening() {
  local name=$1 envs=$2 port http arg args=()
  shift 2
  port=$(free_port); http=$(free_port)
  for arg in "$@"; do arg=${arg//\{PORT\}/$port}; args+=("${arg//\{HTTP\}/$http}"); done
  # shellcheck disable=SC2086
  env $envs "${args[@]}" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "${name}_PORT" '%s' "$port"; printf -v "${name}_PID" '%s' "$!"; printf -v "${name}_HTTP" '%s' "$http"
  wait_port "$port"
}

# subscribe_webhook HTTP_PORT ADMIN_KEY_FILE: starts a minimal webhook receiver on loopback (answers
# 200 to every post; its CPU is its own) and subscribes it to every event type on the node.
subscribe_webhook() {
  local hook_port
  hook_port=$(free_port)
  python3 -c "
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers['Content-Length'])); self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()" "$hook_port" >"$WORK/hook.log" 2>&1 &
  PIDS+=($!)
  wait_port "$hook_port"
  curl -fsS -H "Authorization: Bearer $(cat "$2")" -H 'Content-Type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$hook_port/\",\"events\":[\"received\",\"delivered\",\"deferred\",\"bounced\",\"expired\",\"suppressed\",\"complained\",\"unsubscribed\"]}" \
    "http://127.0.0.1:$1/api/v1/webhooks" >/dev/null
  echo "== webhook for every event type, posting to 127.0.0.1:$hook_port"
}
