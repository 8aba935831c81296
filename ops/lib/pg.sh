# shellcheck shell=bash disable=SC2034 # PG_DATA_DIR and PG_STARTED are read by callers
# Private PostgreSQL 15 clusters for development and tests. Source this file:
#
#   . ops/lib/pg.sh
#   pg_start .data/pg 55432     # initdb on first use, start (or reuse), wait until ready
#   pg_createdb 55432 photostudio
#   pg_restart_immediate .data/pg   # crash and restart it (drills): no checkpoint, WAL replayed at start
#   pg_stop .data/pg
#
# Trust authentication on 127.0.0.1 only: for local development and tests, never production.
# As root, initdb/pg_ctl run as the "postgres" user (they refuse to run as root), which
# must own the data directory and be able to traverse every folder above it; when it
# cannot, the cluster goes to /tmp/photostudio-pg-<hash of DIR> instead (said on stderr).
#
# After pg_start: PG_DATA_DIR is the data directory actually used, and PG_STARTED is 1
# when this call started the server, 0 when it was already running and was reused.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

_pg_log() { echo "pg: $*" >&2; }

# Run a server-side command as the cluster owner (postgres when we are root).
_pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# _pg_fallback_dir ABSDIR: the /tmp location used when postgres cannot reach ABSDIR.
_pg_fallback_dir() {
  echo "/tmp/photostudio-pg-$(printf '%s' "$1" | md5sum | cut -c1-12)"
}

# _pg_resolve_dir DIR [create]: print the data directory to use for DIR.
# With "create", makes the parent folders and explains a fallback on stderr.
_pg_resolve_dir() {
  local abs parent
  abs="$(realpath -m -- "$1")"
  if [[ $EUID -ne 0 ]]; then
    echo "$abs"
    return 0
  fi
  parent="$(dirname -- "$abs")"
  if [[ ${2:-} == create ]]; then
    mkdir -p -- "$parent" || return 1
  fi
  # access(2) as postgres fails unless every folder on the way is traversable.
  if [[ -d $parent ]] && runuser -u postgres -- test -x "$parent" 2>/dev/null; then
    echo "$abs"
    return 0
  fi
  local fallback
  fallback="$(_pg_fallback_dir "$abs")"
  if [[ ${2:-} == create ]]; then
    local blocker="$parent" p="$parent"
    while [[ $p != / ]]; do
      runuser -u postgres -- test -x "$p" 2>/dev/null || blocker="$p"
      p="$(dirname -- "$p")"
    done
    _pg_log "user postgres cannot traverse $blocker ($(stat -c '%A %U:%G' -- "$blocker")), so the cluster for $abs lives in $fallback"
  fi
  echo "$fallback"
}

# _pg_running DIR: true when a server is running on data directory DIR.
_pg_running() {
  [[ -f $1/postmaster.pid ]] || return 1
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# pg_start DIR PORT
pg_start() {
  local dir port
  if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
    _pg_log "usage: pg_start DIR PORT"
    return 2
  fi
  port="$2"
  if [[ ! -x $PG_BIN/pg_ctl ]]; then
    _pg_log "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install -y postgresql-15 postgresql-contrib)"
    return 1
  fi
  dir="$(_pg_resolve_dir "$1" create)" || return 1
  PG_DATA_DIR="$dir"
  PG_STARTED=0

  if _pg_running "$dir"; then
    local running_port
    running_port="$(sed -n 4p "$dir/postmaster.pid" 2>/dev/null)"
    if [[ $running_port != "$port" ]]; then
      _pg_log "a server is already running on $dir but on port $running_port, not $port"
      return 1
    fi
    _pg_log "reusing the server already running on $dir (port $port)"
    _pg_wait_ready "$port" "$dir" || return 1
    return 0
  fi

  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1 || [[ $? -ne 2 ]]; then
    _pg_log "port $port is already taken by another PostgreSQL server (not the one in $dir)"
    return 1
  fi

  if [[ ! -f $dir/PG_VERSION ]]; then
    mkdir -p -- "$dir" || return 1
    if [[ $EUID -eq 0 ]]; then
      chown postgres:postgres -- "$dir" || return 1
    fi
    chmod 700 -- "$dir"
    local loc=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then loc=C.UTF-8; fi
    _pg_log "initdb $dir"
    if ! _pg_as_owner "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale="$loc" \
        >"${TMPDIR:-/tmp}/photostudio-initdb.$$.log" 2>&1; then
      cat "${TMPDIR:-/tmp}/photostudio-initdb.$$.log" >&2
      rm -f "${TMPDIR:-/tmp}/photostudio-initdb.$$.log"
      _pg_log "initdb failed for $dir"
      return 1
    fi
    rm -f "${TMPDIR:-/tmp}/photostudio-initdb.$$.log"
  elif [[ $EUID -eq 0 && $(stat -c %U -- "$dir") != postgres ]]; then
    _pg_log "$dir is owned by $(stat -c %U -- "$dir"); handing it to postgres"
    chown -R postgres:postgres -- "$dir" || return 1
  fi

  # The Unix socket goes into DIR unless its path would exceed the 107-byte limit.
  local sockdir="$dir"
  if (( ${#dir} + 18 > 107 )); then sockdir=/tmp; fi

  _pg_log "starting PostgreSQL on 127.0.0.1:$port (data $dir, log $dir/server.log)"
  if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c max_connections=300 -k $sockdir" start >/dev/null; then
    _pg_log "could not start PostgreSQL; end of $dir/server.log:"
    tail -n 20 -- "$dir/server.log" >&2 2>/dev/null || true
    return 1
  fi
  PG_STARTED=1
  _pg_wait_ready "$port" "$dir"
}

# _pg_wait_ready PORT DIR: wait (up to 30 s) until the server accepts connections.
_pg_wait_ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres; then
      return 0
    fi
    sleep 0.5
  done
  _pg_log "PostgreSQL on port $1 did not become ready; see $2/server.log"
  return 1
}

# pg_stop DIR: fast shutdown; nothing to do when no server runs there.
pg_stop() {
  local dir
  if [[ $# -ne 1 ]]; then
    _pg_log "usage: pg_stop DIR"
    return 2
  fi
  dir="$(_pg_resolve_dir "$1")" || return 0
  if ! _pg_running "$dir"; then
    return 0
  fi
  _pg_log "stopping PostgreSQL ($dir)"
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" stop -m fast -w -t 60 >/dev/null
}

# pg_restart_immediate DIR: restart the running server as a crash would leave it: an immediate shutdown (every
# session killed at once, no checkpoint), then a start that replays the WAL, with the options it was started with.
# Returns once it accepts connections again.
pg_restart_immediate() {
  local dir port
  if [[ $# -ne 1 ]]; then
    _pg_log "usage: pg_restart_immediate DIR"
    return 2
  fi
  dir="$(_pg_resolve_dir "$1")" || return 1
  if ! _pg_running "$dir"; then
    _pg_log "no server is running on $dir"
    return 1
  fi
  port="$(sed -n 4p "$dir/postmaster.pid")"
  _pg_log "restarting PostgreSQL on port $port with an immediate shutdown ($dir)"
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -m immediate -w -t 60 restart >/dev/null || return 1
  _pg_wait_ready "$port" "$dir"
}

# pg_createdb PORT NAME: create database NAME unless it exists.
pg_createdb() {
  if [[ $# -ne 2 ]]; then
    _pg_log "usage: pg_createdb PORT NAME"
    return 2
  fi
  local port="$1" name="$2" exists
  local quoted="${name//\'/\'\'}"
  exists="$("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAq \
    -c "select 1 from pg_database where datname = '$quoted'")" || return 1
  if [[ $exists == 1 ]]; then
    return 0
  fi
  _pg_log "creating database $name"
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres -- "$name" && return 0
  # Lost a race with another creator? Then it exists now.
  exists="$("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAq \
    -c "select 1 from pg_database where datname = '$quoted'")"
  [[ $exists == 1 ]]
}

# pg_env_from_connection_string CONNSTR: export PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD and PGSSLMODE from an
# Npgsql connection string (Host=…;Port=…;Database=…;Username=…;Password=…;SSL Mode=…), so that psql, pg_dump and
# pg_restore reach the same database as the app, and a password never appears on a command line. Keys are
# case-insensitive and may use Npgsql's synonyms (Server, DB, User ID, PWD); a value may be quoted but cannot contain ";".
pg_env_from_connection_string() {
  if [[ $# -ne 1 ]]; then
    _pg_log "usage: pg_env_from_connection_string CONNSTR"
    return 2
  fi
  local part key value
  local -a parts
  unset PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE
  IFS=';' read -r -a parts <<<"$1"
  for part in "${parts[@]}"; do
    [[ $part == *=* ]] || continue
    key="${part%%=*}"
    value="${part#*=}"
    key="$(tr -d ' _' <<<"${key,,}")"
    value="${value#"${value%%[![:space:]]*}"}"
    value="${value%"${value##*[![:space:]]}"}"
    if [[ $value == \"*\" || $value == \'*\' ]]; then value="${value:1:${#value}-2}"; fi
    case "$key" in
      host | server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      database | db) export PGDATABASE="$value" ;;
      username | userid | user | uid) export PGUSER="$value" ;;
      password | pwd | psw) export PGPASSWORD="$value" ;;
      sslmode)
        case "${value,,}" in
          verifyca | verify-ca) export PGSSLMODE=verify-ca ;;
          verifyfull | verify-full) export PGSSLMODE=verify-full ;;
          *) export PGSSLMODE="${value,,}" ;;
        esac
        ;;
    esac
  done
  if [[ -z ${PGDATABASE:-} ]]; then
    _pg_log "the connection string names no Database"
    return 1
  fi
}
