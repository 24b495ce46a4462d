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

# The broker's CPU since it started, in ms per message for $1 messages.
broker_ms_per_message() {
  awk -v c="$(($(cpu_ticks "$BEAM") - BROKER_TICKS0))" -v hz="$(getconf CLK_TCK)" -v n="$1" 'BEGIN{printf "%.3f", c * 1000 / hz / n}'
}

stop_broker() {
  [ -n "${BEAM:-}" ] && kill "$BEAM" 2>/dev/null || true
  for p in $(pgrep -x epmd || true); do tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "ERL_EPMD_PORT=${BROKER_EPMD:-none}" && kill "$p" 2>/dev/null; done
  [ -n "${BROKER_DIR:-}" ] && rm -rf "$BROKER_DIR"
  return 0
}
