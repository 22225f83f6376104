#!/usr/bin/env bash
# Serve the dashboard to more users than one process holds (docs/scaling.md):
#   scripts/serve.sh --replicas N [--port 8080] [--base-port 8501]
#
# - one writer: the working database ($MONITORING_DB, default data/monitoring.duckdb),
#   read-write, under /admin/ (uploads, targets, plans, meetings); it publishes a
#   read-only snapshot into data/snapshots after every data change;
# - N replicas: `streamlit run dashboard.py` over the published snapshot
#   (MONITORING_SNAPSHOT=data/snapshots), every page view;
# - nginx (Debian's package, installed with apt if missing) in front on 127.0.0.1:PORT,
#   from scripts/nginx.conf: sticky sessions by a route cookie, websockets proxied, a
#   dead replica's users sent to another, /_stcore/metrics closed, uploads and the login
#   route limited per client.
# serve.sh supervises them: a process that ends is started again (docs/scaling.md).
# Everything listens on loopback; put the TLS site of scripts/nginx.conf (or another proxy)
# in front to serve a network. Ctrl+C (or SIGTERM) stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=2
port=8080
base_port=8501
while [ $# -gt 0 ]; do
    case "$1" in
        --replicas) replicas=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        *) echo "Неизвестный параметр: $1 (допустимо --replicas N, --port P, --base-port P)" >&2
           exit 2 ;;
    esac
done
case "$replicas" in
    ''|*[!0-9]*|0) echo "--replicas: нужно целое число от 1" >&2; exit 2 ;;
esac

python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || { scripts/setup.sh; python=.venv/bin/python; }
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Устанавливаю nginx (пакет Debian)…"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# The database, its snapshots and logs hold people's names: owner-only files.
umask 077
db=${MONITORING_DB:-data/monitoring.duckdb}
snapshots=${MONITORING_SNAPSHOTS_DIR:-data/snapshots}
run=${MONITORING_RUN_DIR:-data/serve}
mkdir -p "$snapshots" "$run/logs"
db=$(realpath -m "$db"); snapshots=$(realpath "$snapshots"); run=$(realpath "$run")
writer_port=$((base_port + replicas))

# nginx's temporary files (request bodies of uploads over 8 KB, proxied responses) live
# outside data/ (0700): when started as root, nginx's workers run as www-data and must
# be able to write there. Removed on stop.
nginx_tmp=$(mktemp -d "${TMPDIR:-/tmp}/monitoring-nginx.XXXXXX")
user_line=""
if [ "$(id -u)" = 0 ]; then
    user_line="user www-data;"
    chown www-data "$nginx_tmp"
fi

# Supervision: every process is started by name and, if it ends while serve.sh runs,
# started again (a dead replica's users are meanwhile sent to another by nginx; a dead
# writer leaves the replicas serving the last snapshot). Ctrl+C or SIGTERM stops all.
declare -A pids=()
stopping=0
stop() {
    stopping=1
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$nginx_tmp"
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

streamlit() {  # streamlit PORT [extra options…]
    local p=$1; shift
    # exec: the background job is the server itself, so stopping its pid stops it.
    exec "$python" -m streamlit run dashboard.py --server.address 127.0.0.1 --server.port "$p" \
        --server.headless true --browser.gatherUsageStats false "$@"
}

wait_health() {  # wait_health URL WHAT
    for _ in $(seq 1 600); do
        if "$python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
            "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "$2 не запустился за 5 минут (журналы: $run/logs)" >&2
    exit 1
}

start() {  # start NAME: writer, replica-N or nginx, in the background, logging to its file
    local name=$1
    case "$name" in
        writer)
            MONITORING_DB=$db MONITORING_SNAPSHOTS_DIR=$snapshots \
                streamlit "$writer_port" --server.baseUrlPath admin >>"$run/logs/writer.log" 2>&1 &
            ;;
        replica-*)
            MONITORING_SNAPSHOT=$snapshots streamlit "$((base_port + ${name#replica-} - 1))" \
                >>"$run/logs/$name.log" 2>&1 &
            ;;
        nginx)
            "$nginx_bin" -c "$run/nginx.conf" -p "$run" >>"$run/logs/nginx-error.log" 2>&1 &
            ;;
    esac
    pids[$name]=$!
}

# The first snapshot, published before the writer holds the database (DuckDB: one
# writing process per file); on the very first start, the demo data first, as
# scripts/start.sh does. Then the writer keeps the snapshots up to date.
if [ ! -f "$db" ]; then
    echo "Базы данных ещё нет: создаю демонстрационные данные…"
    "$python" -c "
import sys
from analytics.store.db import Database
from analytics.operations.demo import build_demo
from ui.state import DEMO_FLAG
with Database(sys.argv[1]) as db:
    build_demo(db)
    db.set_meta(DEMO_FLAG, 1)
" "$db"
fi
"$python" -m analytics --db "$db" snapshot --out "$snapshots"
start writer
wait_health "http://127.0.0.1:$writer_port/admin/_stcore/health" "Процесс записи"

upstream=""
for n in $(seq 1 "$replicas"); do
    start "replica-$n"
    upstream+="    server 127.0.0.1:$((base_port + n - 1)) max_fails=1 fail_timeout=5s;\n"
done
for n in $(seq 1 "$replicas"); do
    wait_health "http://127.0.0.1:$((base_port + n - 1))/_stcore/health" "Копия $n"
done

# nginx: the site of scripts/nginx.conf on loopback, without its TLS lines, with these
# replicas and this writer.
site="$run/site.conf"
awk -v listen="    listen 127.0.0.1:$port;" -v upstream="$upstream" -v writer="$writer_port" '
    /# @tls/ { next }
    /# @listen/ { print listen; next }
    /# @replicas/ { if (!done) { printf "%s", upstream; done = 1 } next }
    /# @writer/ { print "    server 127.0.0.1:" writer ";"; next }
    { print }
' scripts/nginx.conf >"$site"
cat >"$run/nginx.conf" <<CONF
$user_line
worker_processes auto;
pid $run/nginx.pid;
error_log $run/logs/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    access_log $run/logs/nginx-access.log;
    client_body_temp_path $nginx_tmp/body;
    proxy_temp_path $nginx_tmp/proxy;
    fastcgi_temp_path $nginx_tmp/fastcgi;
    uwsgi_temp_path $nginx_tmp/uwsgi;
    scgi_temp_path $nginx_tmp/scgi;
    include $site;
}
CONF
"$nginx_bin" -t -c "$run/nginx.conf" -p "$run" >/dev/null 2>&1 || {
    "$nginx_bin" -t -c "$run/nginx.conf" -p "$run"
    exit 1
}
start nginx
wait_health "http://127.0.0.1:$port/_stcore/health" "nginx"

echo "Панель: http://127.0.0.1:$port/ (копий: $replicas), загрузка данных: http://127.0.0.1:$port/admin/"
echo "Журналы: $run/logs. Остановить: Ctrl+C."
while [ "$stopping" = 0 ]; do
    # `wait -n` returns when any child ends (or a signal arrives); then every name whose
    # process is gone is started again after a second.
    wait -n 2>/dev/null || true
    [ "$stopping" = 0 ] || break
    for name in "${!pids[@]}"; do
        if ! kill -0 "${pids[$name]}" 2>/dev/null; then
            echo "$(date '+%F %T') $name завершился (журнал: $run/logs); запускаю снова." >&2
            sleep 1
            start "$name"
        fi
    done
done
