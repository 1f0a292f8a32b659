# shellcheck shell=bash
# Project-local RabbitMQ and PostgreSQL, shared by scripts/dev, scripts/test and scripts/rabbit.
#
# Source it (it defines functions and variables, it starts nothing):
#   source "$(dirname "$0")/lib/servers.sh"
#
# Everything lives under $ROOT/.local (git-ignored):
#   .local/rabbitmq/{mnesia,log,home,...}   node myop@localhost, AMQP 127.0.0.1:56720
#   .local/postgres/{data,sock,server.log}  PostgreSQL on 127.0.0.1:55432
#   .local/services/<name>.{log,pid}        services started by scripts/dev
# The ports are high and fixed so that they match ServiceConfiguration's dev defaults and cannot clash with a
# system RabbitMQ (5672/4369) or PostgreSQL (5432). Measured facts behind the choices:
# ../shared/notes/local-servers.md.

# shellcheck disable=SC2034 # the variables below are used by the scripts that source this file
if [[ -n "${MYOP_SERVERS_LIB_LOADED:-}" ]]; then
    return 0
fi
MYOP_SERVERS_LIB_LOADED=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="$ROOT/.local"
SERVICES_DIR="$LOCAL_DIR/services"

RABBIT_NODENAME="myop@localhost"
RABBIT_HOST="127.0.0.1"
RABBIT_PORT=56720
RABBIT_DIST_PORT=56721 # must be set: its default (AMQP port + 20000) is not a valid port here
RABBIT_EPMD_PORT=56722 # a private epmd, so we never share (or kill) one on 4369
RABBIT_TLS_PORT=56723  # amqps:// with a project-local CA, so the TLS path is tested like the plain one
RABBIT_DIR="$LOCAL_DIR/rabbitmq"
RABBIT_PID_FILE="$RABBIT_DIR/rabbitmq.pid"
RABBIT_CONSOLE_LOG="$RABBIT_DIR/log/console.log"
AMQP_URL="amqp://guest:guest@$RABBIT_HOST:$RABBIT_PORT"

PG_HOST="127.0.0.1"
PG_PORT=55432
PG_DIR="$LOCAL_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/sock"
PG_LOG="$PG_DIR/server.log"
# Six services with a pool of 20 each in dev; the test suite runs many services at once (each integration suite starts
# its own), and at 300 a full run met "too many clients" often enough to fail a readiness check or a test's own pool.
PG_MAX_CONNECTIONS=600
# PostgreSQL's default of 128 MB left backends writing out dirty pages themselves to make room (pg_stat_bgwriter:
# buffers_backend 1.5 M against 0.6 M by checkpoints), in the middle of a call's decision.
PG_SHARED_BUFFERS=1GB
PG_DATABASE="myop"
PG_ADMIN_URL="postgres://postgres@$PG_HOST:$PG_PORT/$PG_DATABASE"
# The tests get a database of their own, so they never touch the dev stack's tables (they connect as postgres and
# create throw-away schemas; the real service schemas they create there are theirs alone).
PG_TEST_DATABASE="myop_test"
PG_TEST_URL="postgres://postgres@$PG_HOST:$PG_PORT/$PG_TEST_DATABASE"
# One schema per service; each is owned by the LOGIN role myop_<schema> (password "myop"; local auth is trust).
PG_SCHEMAS=(callrouter campaigns billing aftercall webhooks notifications)

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Debian installs the PostgreSQL server programs in /usr/lib/postgresql/<major>/bin, off PATH. Prefer whatever is
# on PATH already (this machine kind links them into /usr/local/bin), else the newest installed major version.
add_postgres_bin_to_path() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        return 0
    fi
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/pg_ctl" ]] || continue
        if [[ -z "$newest" ]] || [[ "$(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1)" == "$dir" ]]; then
            newest="$dir"
        fi
    done
    if [[ -n "$newest" ]]; then
        PATH="$newest:$PATH"
    fi
}
add_postgres_bin_to_path

# True when `port` on `host` accepts a TCP connection within a second.
port_open() {
    timeout 1 bash -c ": >/dev/tcp/$1/$2" 2>/dev/null
}

# Starts a long-running program detached from the caller and returns at once: `detach LOG PROGRAM ARGS...`;
# afterwards $! is its pid (`setsid --wait` keeps that true even if setsid has to fork).
#  - setsid gives it its own session, so neither Ctrl-C in this terminal nor the end of whatever called us (a script,
#    or `swift test` running scripts/rabbit) takes it down; without a controlling terminal there is no SIGHUP either.
#  - stdin, stdout and stderr are replaced, and every other inherited descriptor is closed: a daemon that kept a
#    copy of the caller's stdout pipe would make `scripts/rabbit start | cat`, or a test reading the script's output
#    to the end, hang until the daemon exits.
#  - the subshell ends in `exec`, so no shell stays behind holding saved copies of those descriptors.
detach() {
    local log="$1"
    shift
    (
        local fd
        for fd in "/proc/$BASHPID/fd/"*; do
            fd="${fd##*/}"
            if ((fd > 2)); then
                { eval "exec $fd>&-"; } 2>/dev/null || true
            fi
        done
        exec setsid --wait "$@" >>"$log" 2>&1 </dev/null
    ) &
}

# Runs a command as root (directly, or through sudo when we are not root).
as_root() {
    if ((EUID == 0)); then
        "$@"
    else
        sudo "$@"
    fi
}

# Installs what is missing, with one `apt-get update`, non-interactively (CI has no stdin and no terminal).
ensure_packages() {
    local missing=()
    [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
    [[ -e /usr/include/amqp.h || -e /usr/include/rabbitmq-c/amqp.h ]] || missing+=(librabbitmq-dev)
    command -v amqp-publish >/dev/null 2>&1 || missing+=(amqp-tools)
    add_postgres_bin_to_path
    local tool
    for tool in initdb pg_ctl postgres psql pg_isready; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            missing+=(postgresql)
            break
        fi
    done
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
    add_postgres_bin_to_path
}

# ---------------------------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------------------------

# The node's environment, passed with `env` so that it never leaks into the services or `swift test`. The
# /usr/sbin/rabbitmq-* wrappers switch to the rabbitmq user and reset HOME (so the CLI's .erlang.cookie would not
# match the node's): use the scripts in /usr/lib/rabbitmq/bin, as the current user.
rabbit_env_vars() {
    RABBIT_ENV_VARS=(
        HOME="$RABBIT_DIR/home"
        PATH="/usr/lib/rabbitmq/bin:$PATH"
        RABBITMQ_NODENAME="$RABBIT_NODENAME"
        RABBITMQ_NODE_IP_ADDRESS="$RABBIT_HOST"
        RABBITMQ_NODE_PORT="$RABBIT_PORT"
        RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
        RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
        RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config"
        RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
        RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
        RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
        RABBITMQ_PID_FILE="$RABBIT_PID_FILE"
        # Erlang distribution (used by rabbitmqctl) on loopback only, like AMQP and the private epmd.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        ERL_EPMD_PORT="$RABBIT_EPMD_PORT"
        ERL_EPMD_ADDRESS="$RABBIT_HOST"
    )
}

# Runs a command in the node's environment.
rabbit_env() {
    rabbit_env_vars
    env "${RABBIT_ENV_VARS[@]}" "$@"
}

# rabbitmqctl for the project-local node, e.g. `rabbitmqctl_local list_queues name messages`.
rabbitmqctl_local() {
    rabbit_env rabbitmqctl "$@"
}

rabbit_prepare_files() {
    mkdir -p "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log" "$RABBIT_DIR/home"
    : >"$RABBIT_DIR/rabbitmq-env.conf" # empty on purpose: skip /etc/rabbitmq/rabbitmq-env.conf
    cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
# Generated by scripts/lib/servers.sh; edits are overwritten at the next start.
listeners.tcp.default = $RABBIT_HOST:$RABBIT_PORT
listeners.ssl.default = $RABBIT_HOST:$RABBIT_TLS_PORT
ssl_options.cacertfile = $RABBIT_DIR/tls/ca.pem
ssl_options.certfile = $RABBIT_DIR/tls/server.pem
ssl_options.keyfile = $RABBIT_DIR/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
EOF
    rabbit_tls_files
    echo '[].' >"$RABBIT_DIR/enabled_plugins" # no plugins: the management plugin slows every stop by ~5 s
    # Write the cookie ourselves: if the node and a CLI started at the same moment each created one, they could differ.
    local cookie="$RABBIT_DIR/home/.erlang.cookie"
    if [[ ! -s "$cookie" ]]; then
        (umask 077 && od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$cookie")
        chmod 400 "$cookie"
    fi
}

# A throw-away CA and a server certificate for localhost / 127.0.0.1, made once per checkout.
rabbit_tls_files() {
    local dir="$RABBIT_DIR/tls"
    [[ -s "$dir/server.pem" && -s "$dir/ca.pem" ]] && return 0
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=myop local CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
        -extfile "$dir/san.ext" -out "$dir/server.pem" >/dev/null 2>&1
    chmod 644 "$dir/server.key"
}

# The pid in the node's pid file, if that process is alive and is an Erlang VM.
rabbit_pid() {
    local pid
    [[ -s "$RABBIT_PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$RABBIT_PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    grep -q beam "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

# True when the AMQP port answers (fast: no Erlang CLI start-up).
rabbit_running() {
    port_open "$RABBIT_HOST" "$RABBIT_PORT"
}

# True when a client can log in (a real AMQP handshake: publishes one empty message to the default exchange with
# a routing key that matches no queue, so it is dropped).
rabbit_amqp_ready() {
    if command -v amqp-publish >/dev/null 2>&1; then
        timeout 5 amqp-publish --url="$AMQP_URL" --routing-key=myop.readiness-probe --body= >/dev/null 2>&1
    else
        rabbit_running
    fi
}

# Our ports lie inside Linux's ephemeral range (32768-60999). While the node is down (the broker-outage test stops
# it), any outgoing connection on this machine may be given one of them as its local port (a client retrying
# 127.0.0.1:56720 can even connect to itself), and the node then cannot listen again: eaddrinuse on 56720 and
# dist_port_already_used on 56721 ended a test run here. The kernel never hands out reserved ports as ephemeral
# ones, so reserve ours when we may (root, a writable /proc/sys); elsewhere, warn and go on.
reserve_ports() {
    local file=/proc/sys/net/ipv4/ip_local_reserved_ports current wanted
    [[ -r "$file" ]] || return 0
    current="$(tr -d '[:space:]' <"$file")"
    wanted="$PG_PORT,$RABBIT_PORT-$RABBIT_TLS_PORT"
    [[ ",$current," == *",$wanted,"* ]] && return 0
    if ! { [[ -w "$file" ]] && echo "${current:+$current,}$wanted" >"$file"; } 2>/dev/null; then
        warn "could not reserve ports $wanted (needs root): a restarted RabbitMQ may find its port taken"
    fi
}

rabbit_start() {
    if rabbit_running && rabbit_amqp_ready; then
        return 0
    fi
    reserve_ports
    rabbit_prepare_files
    if ! rabbit_pid >/dev/null; then
        rm -f "$RABBIT_PID_FILE" # a stale one would make `rabbitmqctl wait` watch a dead pid
        say "starting RabbitMQ ($RABBIT_NODENAME, amqp://$RABBIT_HOST:$RABBIT_PORT)"
        rabbit_env_vars
        detach "$RABBIT_CONSOLE_LOG" env -C "$RABBIT_DIR" "${RABBIT_ENV_VARS[@]}" rabbitmq-server
    fi
    if ! rabbitmqctl_local -q wait --timeout 120 "$RABBIT_PID_FILE" >/dev/null 2>&1; then
        warn "RabbitMQ did not start; last lines of $RABBIT_CONSOLE_LOG and the node log:"
        tail -n 20 "$RABBIT_CONSOLE_LOG" "$RABBIT_DIR/log/$RABBIT_NODENAME.log" >&2 2>/dev/null || true
        return 1
    fi
    # `wait` returns once the rabbit application runs; make sure a client can really log in before returning.
    local deadline=$((SECONDS + 15))
    until rabbit_amqp_ready; do
        if ((SECONDS >= deadline)); then
            warn "RabbitMQ runs but refuses AMQP logins on $RABBIT_HOST:$RABBIT_PORT"
            return 1
        fi
        sleep 0.2
    done
}

# Stops the node and its private epmd; returns only when the node's process is gone and the AMQP port is closed.
rabbit_stop() {
    local pid
    if pid="$(rabbit_pid)"; then
        # With the pid file, `stop` also waits for the OS process to exit.
        if ! rabbitmqctl_local -q stop "$RABBIT_PID_FILE" >/dev/null 2>&1; then
            warn "rabbitmqctl stop failed; sending SIGTERM to $pid"
            kill -TERM "$pid" 2>/dev/null || true
        fi
        local deadline=$((SECONDS + 30))
        while kill -0 "$pid" 2>/dev/null; do
            if ((SECONDS >= deadline)); then
                warn "RabbitMQ ($pid) still runs after 30 s; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
    elif rabbit_running; then
        # Port open but no usable pid file (deleted by hand?): stop by node name, then wait for the port to close.
        rabbitmqctl_local -q stop >/dev/null 2>&1 || warn "could not stop the node on port $RABBIT_PORT"
    fi
    local deadline=$((SECONDS + 15))
    while rabbit_running; do
        if ((SECONDS >= deadline)); then
            warn "something still listens on $RABBIT_HOST:$RABBIT_PORT"
            return 1
        fi
        sleep 0.2
    done
    rm -f "$RABBIT_PID_FILE"
    # The node started a private epmd (ERL_EPMD_PORT); stop it too, so nothing of ours is left running.
    if port_open "$RABBIT_HOST" "$RABBIT_EPMD_PORT"; then
        env ERL_EPMD_PORT="$RABBIT_EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------------

# PostgreSQL refuses to run as root, so as root its programs run as the `postgres` OS user (from /, because our
# working directory may not be readable by that user). As anyone else they run as that user.
as_postgres() {
    local program
    program="$(command -v "$1")" || die "$1 not found (run ensure_packages)"
    shift
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$program" "$@")
    else
        "$program" "$@"
    fi
}

pg_prepare_dirs() {
    mkdir -p "$PG_DIR" "$PG_DATA" "$PG_SOCK"
    chmod 755 "$LOCAL_DIR" "$PG_DIR"
    touch "$PG_LOG"
    if ((EUID != 0)); then
        chmod 700 "$PG_DATA"
        return 0
    fi
    # The data directory, socket directory and log belong to `postgres`; .local/postgres itself stays root's.
    chown postgres:postgres "$PG_DATA" "$PG_SOCK" "$PG_LOG"
    chmod 700 "$PG_DATA"
    # `postgres` must be able to traverse every directory above .local/postgres. access(2) checks the whole path,
    # so one test as that user covers all parents; only if it fails, walk up and add o+x where it is missing.
    if ! runuser -u postgres -- test -x "$PG_DIR"; then
        local dir="$PG_DIR"
        while [[ "$dir" != "/" ]]; do
            if [[ "$(stat -c %A "$dir")" != ?????????[xt] ]]; then
                warn "chmod o+x $dir (so the postgres user can reach $PG_DIR)"
                chmod o+x "$dir"
            fi
            dir="$(dirname "$dir")"
        done
        runuser -u postgres -- test -x "$PG_DIR" || die "the postgres user cannot reach $PG_DIR"
    fi
}

# True when the postmaster of our data directory runs (not necessarily accepting connections yet).
pg_running() {
    [[ -f "$PG_DATA/postmaster.pid" ]] && as_postgres pg_ctl -D "$PG_DATA" status >/dev/null 2>&1
}

pg_ready() {
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 1 >/dev/null 2>&1
}

pg_start() {
    reserve_ports
    pg_prepare_dirs
    if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
        say "initialising PostgreSQL in ${PG_DATA#"$ROOT"/}"
        if ! as_postgres initdb -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1; then
            tail -n 20 "$PG_DIR/initdb.log" >&2
            return 1
        fi
    fi
    if ! pg_running; then
        say "starting PostgreSQL (postgres://$PG_HOST:$PG_PORT)"
        # Settings go on the command line rather than into postgresql.conf, so a changed value applies to an
        # existing data directory at its next start.
        if ! as_postgres pg_ctl -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $PG_PORT -k '$PG_SOCK' -c listen_addresses=$PG_HOST -c max_connections=$PG_MAX_CONNECTIONS -c shared_buffers=$PG_SHARED_BUFFERS" \
            start >/dev/null; then
            warn "PostgreSQL did not start; last lines of $PG_LOG:"
            tail -n 20 "$PG_LOG" >&2
            return 1
        fi
    fi
    # Running already (maybe still starting up, or started by a concurrent script): wait until it accepts connections.
    local deadline=$((SECONDS + 60))
    until pg_ready; do
        if ((SECONDS >= deadline)); then
            warn "PostgreSQL runs but does not accept connections on $PG_HOST:$PG_PORT"
            return 1
        fi
        sleep 0.2
    done
}

pg_stop() {
    if pg_running; then
        as_postgres pg_ctl -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
    fi
}

psql_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"
}

# Creates the database, one LOGIN role and one schema per service. Idempotent, and safe when two scripts run it at
# once (an advisory lock serialises them).
pg_prepare_database() {
    pg_create_database "$PG_DATABASE"
    local schema sql=$'SET client_min_messages = warning; -- no "already exists, skipping" notices\n'
    sql+="SELECT pg_advisory_lock(727002) AS locked \\gset"$'\n'
    for schema in "${PG_SCHEMAS[@]}"; do
        # ALTER ... OWNER as well: if a test created the schema as postgres first, the service would own nothing.
        sql+="
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'myop_$schema', 'myop')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'myop_$schema') \\gexec
GRANT CONNECT ON DATABASE $PG_DATABASE TO myop_$schema;
CREATE SCHEMA IF NOT EXISTS $schema AUTHORIZATION myop_$schema;
ALTER SCHEMA $schema OWNER TO myop_$schema;
"
    done
    psql_admin -d "$PG_DATABASE" <<<"$sql"
}

# Creates the tests' database if it is missing. Idempotent.
pg_prepare_test_database() {
    pg_create_database "$PG_TEST_DATABASE"
}

# Creates database $1 if it is missing; an advisory lock serialises scripts that run this at once.
pg_create_database() {
    psql_admin -d postgres <<EOF
SET client_min_messages = warning;
SELECT pg_advisory_lock(727001) AS locked \gset
SELECT 'CREATE DATABASE $1' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$1') \gexec
EOF
}
