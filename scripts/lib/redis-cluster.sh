# shellcheck shell=bash
# A local Redis Cluster of Debian's redis-server for scripts/run-local and bench/redis_load:
#
#   source scripts/lib/redis-cluster.sh
#   redis_cluster_start DIR [MASTERS=3] [REPLICAS=1]   # nodes on free 127.0.0.1 ports, then
#                                                      # redis-cli --cluster create; waits until ok
#   ... "$REDIS_CLUSTER_URL" (redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3)
#   redis_cluster_stop                                 # SIGTERM to exactly the PIDs it started
#
# Persistence is off; each node has its own folder (nodes.conf, log) under DIR and its own cluster
# bus port. The nodes are direct background children of the calling shell ($! is each server's
# own PID): call redis_cluster_start directly, never inside $(...). When the caller keeps a
# STACK_PIDS array (scripts/lib/stack.sh), the PIDs are added to it, so its cleanup stops them too.
# Sets REDIS_CLUSTER_PORTS, REDIS_CLUSTER_PIDS, REDIS_CLUSTER_MASTERS (ports), REDIS_CLUSTER_URL.

redis_cluster_free_port() {  # reserved for this script until it exits (free-port.mjs)
  node "$(dirname "${BASH_SOURCE[0]}")/free-port.mjs" "$$"
}

redis_cluster_start() {
  local dir=$1 masters=${2:-3} replicas=${3:-1} i port bus nodes=()
  REDIS_CLUSTER_PORTS=() REDIS_CLUSTER_PIDS=() REDIS_CLUSTER_MASTERS=()
  for ((i = 0; i < masters * (1 + replicas); i++)); do
    port=$(redis_cluster_free_port)
    bus=$(redis_cluster_free_port)
    mkdir -p "$dir/node$i"
    redis-server --port "$port" --cluster-port "$bus" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 2000 --save '' --appendonly no \
      --dir "$dir/node$i" --logfile "$dir/node$i/redis.log" --daemonize no </dev/null >/dev/null 2>&1 &
    REDIS_CLUSTER_PIDS+=("$!")
    REDIS_CLUSTER_PORTS+=("$port")
    nodes+=("127.0.0.1:$port")
    if declare -p STACK_PIDS >/dev/null 2>&1; then STACK_PIDS+=("$!"); fi
  done
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    for ((i = 0; i < 100; i++)); do
      [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
      sleep 0.05
    done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes \
    >"$dir/create.log" 2>&1 || { echo "redis-cluster: create failed; see $dir/create.log" >&2; return 1; }
  for ((i = 0; i < 200; i++)); do
    redis_cluster_healthy && break
    sleep 0.1
  done
  redis_cluster_healthy || { echo "redis-cluster: not healthy after 20 s" >&2; return 1; }
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    redis-cli -p "$port" info replication | grep -q role:master && REDIS_CLUSTER_MASTERS+=("$port")
  done
  REDIS_CLUSTER_URL="redis+cluster://$(printf '127.0.0.1:%s,' "${REDIS_CLUSTER_MASTERS[@]}")"
  REDIS_CLUSTER_URL="${REDIS_CLUSTER_URL%,}"
}

# Every node says cluster_state:ok and every replica is in sync with its master.
redis_cluster_healthy() {
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    redis-cli -p "$port" cluster info 2>/dev/null | grep -q cluster_state:ok || return 1
    if redis-cli -p "$port" info replication 2>/dev/null | grep -q role:slave; then
      redis-cli -p "$port" info replication | grep -q master_link_status:up || return 1
    fi
  done
}

redis_cluster_stop() {
  local pid
  for pid in "${REDIS_CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${REDIS_CLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  REDIS_CLUSTER_PIDS=()
}
