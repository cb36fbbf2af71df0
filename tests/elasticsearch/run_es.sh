#!/usr/bin/env bash
# A real, local Elasticsearch for tests and CI (no Docker needed; see DESIGN.md "Elasticsearch in tests and CI").
#
#   tests/elasticsearch/run_es.sh start    # resolve (cached), unpack, configure, start, wait; last line = URL
#   tests/elasticsearch/run_es.sh stop     # stop the server started from this work dir
#   tests/elasticsearch/run_es.sh status   # "running <url>" (exit 0) or "stopped" (exit 1)
#   tests/elasticsearch/run_es.sh url      # the URL when running (exit 1 and no output otherwise)
#
# Uses Elastic's integration-test distribution from Maven Central
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip): the real server without a
# bundled JDK and without analysis-common, which the index design does not need.
#
# Environment:
#   STELLEN_ES_VERSION    server version (default below; keep the major equal to the Python client's)
#   STELLEN_ES_CACHE      where the downloaded zip is kept (outside the repo, survives runs)
#   STELLEN_ES_HOME       work dir: unpacked server, config, data, logs, pid file
#   STELLEN_ES_PORT       HTTP port (default 9250; a free port is chosen when 9250 is taken; 0 = any free)
#   STELLEN_ES_JAVA_HOME  JDK for the server (9.x needs Java 21+)
#   STELLEN_ES_USER       unprivileged user that runs the server when invoked as root (Elasticsearch
#                         refuses to run as root); created with `useradd -r` when missing
#   STELLEN_ES_TIMEOUT    seconds to wait for the cluster to become yellow (default 180)
set -euo pipefail

# Newest 9.x integ-test zip that resolved on Maven Central and ran here (9.5.5, 9.6.0 did not resolve).
ES_VERSION=${STELLEN_ES_VERSION:-9.5.4}
ES_CACHE=${STELLEN_ES_CACHE:-$HOME/.cache/stellenboerse/elasticsearch}
ES_WORK=${STELLEN_ES_HOME:-/tmp/stellenboerse-es}
ES_USER=${STELLEN_ES_USER:-stellen-es}
ES_TIMEOUT=${STELLEN_ES_TIMEOUT:-180}
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"

ES_DIST="$ES_WORK/elasticsearch-$ES_VERSION"
PID_FILE="$ES_WORK/run/elasticsearch.pid"
URL_FILE="$ES_WORK/run/url"
LOG_DIR="$ES_WORK/logs"
CLUSTER_NAME=stellenboerse-test

log() { echo "run_es: $*" >&2; }

java_home() {
    if [[ -n "${STELLEN_ES_JAVA_HOME:-}" ]]; then
        echo "$STELLEN_ES_JAVA_HOME"
    elif [[ "$ES_VERSION" == 8.* ]]; then
        echo "${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
    elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
        echo /usr/lib/jvm/temurin-25-jdk-amd64
    else
        # Any JDK 21+ under /usr/lib/jvm.
        local candidate
        for candidate in /usr/lib/jvm/*; do
            local major
            major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
                sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' || true)
            if [[ -n "$major" && "$major" -ge 21 ]]; then
                echo "$candidate"
                return
            fi
        done
        echo "${JAVA_HOME:-}"
    fi
}

healthy() { # $1 = url
    curl -fsS --max-time 5 "$1/_cluster/health" >/dev/null 2>&1
}

running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

current_url() {
    running_pid >/dev/null || return 1
    [[ -f "$URL_FILE" ]] || return 1
    local url
    url=$(cat "$URL_FILE")
    healthy "$url" || return 1
    echo "$url"
}

port_free() {
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

choose_port() {
    local wanted=${STELLEN_ES_PORT:-9250}
    if [[ "$wanted" == 0 ]]; then
        free_port
    elif port_free "$wanted"; then
        echo "$wanted"
    elif [[ -n "${STELLEN_ES_PORT:-}" ]]; then
        log "port $wanted (STELLEN_ES_PORT) is already in use"
        return 1
    else
        free_port
    fi
}

fetch_zip() {
    local zip="$ES_CACHE/elasticsearch-$ES_VERSION.zip"
    if [[ -s "$zip" ]] && unzip -tq "$zip" >/dev/null 2>&1; then
        echo "$zip"
        return
    fi
    mkdir -p "$ES_CACHE"
    log "resolving $ARTIFACT with Maven into $ES_CACHE"
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$ES_CACHE" >&2 || {
        log "could not resolve $ARTIFACT from Maven Central"
        return 1
    }
    echo "$zip"
}

unpack() {
    [[ -x "$ES_DIST/bin/elasticsearch" ]] && return
    local zip tmp
    zip=$(fetch_zip)
    tmp=$(mktemp -d "$ES_WORK/unpack.XXXXXX")
    unzip -q "$zip" -d "$tmp"
    mv "$tmp/elasticsearch-$ES_VERSION" "$ES_DIST"
    rm -rf "$tmp"
}

write_config() { # $1 = port
    cat >"$ES_DIST/config/elasticsearch.yml" <<EOF
# Written by tests/elasticsearch/run_es.sh: a throw-away single-node server for tests.
cluster.name: $CLUSTER_NAME
node.name: $CLUSTER_NAME-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $1
xpack.security.enabled: false
path.data: $ES_WORK/data
path.logs: $LOG_DIR
cluster.routing.allocation.disk.threshold_enabled: false
# Tests clean up their indices with a wildcard DELETE.
action.destructive_requires_name: false
EOF
}

# Elasticsearch refuses to run as root; CI runs as root, so run it as an unprivileged system user.
as_server_user() {
    if [[ $(id -u) -ne 0 ]]; then
        "$@"
        return
    fi
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        log "creating system user $ES_USER"
        useradd -r -M -d "$ES_WORK" -s /usr/sbin/nologin "$ES_USER"
    fi
    chown -R "$ES_USER:" "$ES_WORK"
    runuser -u "$ES_USER" -- "$@"
}

fail_with_log() {
    log "$1"
    local f
    for f in "$LOG_DIR/startup.out" "$LOG_DIR/$CLUSTER_NAME.log"; do
        if [[ -s "$f" ]]; then
            echo "---- tail of $f" >&2
            tail -n 40 "$f" >&2
        fi
    done
    exit 1
}

cmd_start() {
    local url
    if url=$(current_url); then
        log "already running (pid $(running_pid))"
        echo "$url"
        return
    fi
    if running_pid >/dev/null; then
        log "a server from $ES_WORK is running but not answering; stopping it first"
        cmd_stop
    fi
    mkdir -p "$ES_WORK/run" "$ES_WORK/data" "$LOG_DIR"
    unpack
    local port jh started
    port=$(choose_port)
    url="http://127.0.0.1:$port"
    write_config "$port"
    jh=$(java_home)
    [[ -x "$jh/bin/java" ]] || fail_with_log "no usable JDK at '$jh' (set STELLEN_ES_JAVA_HOME)"
    rm -f "$PID_FILE"
    echo "$url" >"$URL_FILE"
    log "starting Elasticsearch $ES_VERSION on $url (Java: $jh)"
    started=$(date +%s)
    as_server_user env ES_JAVA_HOME="$jh" ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" \
        "$ES_DIST/bin/elasticsearch" -d -p "$PID_FILE" >"$LOG_DIR/startup.out" 2>&1 ||
        fail_with_log "bin/elasticsearch failed to start"
    local deadline=$((started + ES_TIMEOUT))
    while (($(date +%s) < deadline)); do
        if curl -fsS --max-time 10 "$url/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; then
            log "ready after $(($(date +%s) - started)) s"
            echo "$url"
            return
        fi
        [[ -f "$PID_FILE" ]] && ! running_pid >/dev/null && fail_with_log "Elasticsearch exited during startup"
        sleep 1
    done
    fail_with_log "Elasticsearch did not become healthy within $ES_TIMEOUT s"
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        log "not running"
        rm -f "$PID_FILE"
        return
    fi
    kill "$pid"
    local i
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not stop within 60 s; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_status() {
    local url
    if url=$(current_url); then
        echo "running $url"
    else
        echo "stopped"
        return 1
    fi
}

cmd_url() {
    current_url
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
url) cmd_url ;;
*)
    echo "usage: $0 start|stop|status|url" >&2
    exit 2
    ;;
esac
