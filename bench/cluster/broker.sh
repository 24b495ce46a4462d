# A private RabbitMQ broker for the cluster benchmarks (sourced, not run): Debian's rabbitmq-server
# on 127.0.0.1, its own folder, ports and Erlang port mapper. start_broker sets AMQP (its port) and
# BEAM (the broker's PID, for its CPU); stop_broker stops it and its epmd and removes the folder.
start_broker() {
  BROKER_DIR=$(mktemp -d /tmp/sluice-broker.XXXXXX)
  AMQP=$(free_port); BROKER_DIST=$(free_port); BROKER_EPMD=$(free_port)
  echo "== starting a RabbitMQ broker on 127.0.0.1:$AMQP"
  printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$AMQP" >"$BROKER_DIR/rabbitmq.conf"
  echo '[].' >"$BROKER_DIR/enabled_plugins"
  chown -R rabbitmq "$BROKER_DIR"
  env ERL_EPMD_PORT="$BROKER_EPMD" RABBITMQ_NODENAME="b$AMQP@localhost" RABBITMQ_NODE_PORT="$AMQP" RABBITMQ_DIST_PORT="$BROKER_DIST" \
    RABBITMQ_MNESIA_BASE="$BROKER_DIR/mnesia" RABBITMQ_LOG_BASE="$BROKER_DIR/log" RABBITMQ_CONFIG_FILE="$BROKER_DIR/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$BROKER_DIR/enabled_plugins" RABBITMQ_FEATURE_FLAGS_FILE="$BROKER_DIR/feature_flags" \
    RABBITMQ_PID_FILE="$BROKER_DIR/rabbit.pid" HOME="$BROKER_DIR" rabbitmq-server >"$BROKER_DIR/broker.log" 2>&1 &
  for _ in $(seq 1 1200); do (exec 3<>"/dev/tcp/127.0.0.1/$AMQP") 2>/dev/null && break; sleep 0.05; done
  BEAM=$(tr -d ' \n' <"$BROKER_DIR/rabbit.pid")
  BROKER_TICKS0=$(cpu_ticks "$BEAM")
}

# start_broker_cluster N: N brokers forming one cluster on 127.0.0.1 (../shared/FIXTURES.md:
# classic peer discovery, one Erlang cookie, one epmd port of their own), so that quorum queues
# replicate over three. Sets AMQP_PORTS (their AMQP ports) and BEAMS (their PIDs), leaving a single
# broker's AMQP and BEAM alone (a run may start both); stop_broker stops them all.
start_broker_cluster() {
  local n=$1 i port dir cookie config
  # Its own epmd variable: a run may start one broker (BROKER_EPMD) and a cluster side by side.
  CLUSTER_EPMD=$(free_port)
  cookie=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  AMQP_PORTS=(); BEAMS=(); BROKER_DIRS=()
  for i in $(seq 1 "$n"); do
    port=$(free_port)
    while [[ " ${AMQP_PORTS[*]} " == *" $port "* ]]; do port=$(free_port); done
    AMQP_PORTS+=("$port")
  done
  config=$'loopback_users = none\ncluster_formation.peer_discovery_backend = classic_config\n'
  for i in $(seq 1 "$n"); do config+="cluster_formation.classic_config.nodes.$i = c${AMQP_PORTS[$((i - 1))]}@localhost"$'\n'; done
  echo "== starting a cluster of $n RabbitMQ brokers on 127.0.0.1:${AMQP_PORTS[*]}"
  for port in "${AMQP_PORTS[@]}"; do
    dir=$(mktemp -d /tmp/sluice-broker.XXXXXX); BROKER_DIRS+=("$dir")
    printf 'listeners.tcp.default = 127.0.0.1:%s\n%s' "$port" "$config" >"$dir/rabbitmq.conf"
    echo '[].' >"$dir/enabled_plugins"
    printf '%s' "$cookie" >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
    chown -R rabbitmq "$dir"
    env ERL_EPMD_PORT="$CLUSTER_EPMD" RABBITMQ_NODENAME="c$port@localhost" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$(free_port)" \
      RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags" \
      RABBITMQ_PID_FILE="$dir/rabbit.pid" HOME="$dir" rabbitmq-server >"$dir/broker.log" 2>&1 &
  done
  for i in $(seq 0 $((n - 1))); do
    for _ in $(seq 1 2400); do (exec 3<>"/dev/tcp/127.0.0.1/${AMQP_PORTS[$i]}") 2>/dev/null && break; sleep 0.05; done
    BEAMS+=("$(tr -d ' \n' <"${BROKER_DIRS[$i]}/rabbit.pid")")
  done
  env HOME="${BROKER_DIRS[0]}" ERL_EPMD_PORT="$CLUSTER_EPMD" rabbitmqctl -n "c${AMQP_PORTS[0]}@localhost" await_online_nodes "$n" --timeout 90000 >/dev/null
}

# The broker's CPU since it started, in ms per message for $1 messages.
broker_ms_per_message() {
  awk -v c="$(($(cpu_ticks "$BEAM") - BROKER_TICKS0))" -v hz="$(getconf CLK_TCK)" -v n="$1" 'BEGIN{printf "%.3f", c * 1000 / hz / n}'
}

stop_broker() {
  local p
  for p in "${BEAMS[@]:-}" "${BEAM:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${BEAMS[@]:-}" "${BEAM:-}"; do [ -n "$p" ] && while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  for p in $(pgrep -x epmd || true); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxE "ERL_EPMD_PORT=(${BROKER_EPMD:-none}|${CLUSTER_EPMD:-none})" && kill "$p" 2>/dev/null
  done
  [ -n "${BROKER_DIR:-}" ] && rm -rf "$BROKER_DIR"
  for p in "${BROKER_DIRS[@]:-}"; do [ -n "$p" ] && rm -rf "$p"; done
  return 0
}
