# shellcheck shell=bash
# Starts Debian's clickhouse-server on loopback with a throw-away config (sourced, not run).
#
# start_clickhouse DIR: writes DIR/config.xml and DIR/users.xml (HTTP and native ports
# chosen free, data/tmp/user_files under DIR, user `default` without password, loopback
# only), starts the server in the background, sets CH_PID and CH_PORT (HTTP), waits for
# `SELECT 1`. The PID is added to STARTED_PIDS (serve_lib.sh) so stop_all stops it.
# ch_query SQL [curl args...]: runs SQL over HTTP, prints the answer.

start_clickhouse() {
  local dir=$1
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  CH_PORT=$(free_port)
  local tcp_port
  tcp_port=$(free_port)
  cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/server.log</log>
    <errorlog>$dir/log/error.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$CH_PORT</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
EOF
  cat >"$dir/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>6000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
EOF
  clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  CH_PID=$!
  STARTED_PIDS+=("$CH_PID")
  local i
  for ((i = 0; i < 600; ++i)); do
    if [[ "$(curl -s "http://127.0.0.1:$CH_PORT/?query=SELECT%201" 2>/dev/null)" == 1 ]]; then
      return 0
    fi
    kill -0 "$CH_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "clickhouse-server did not start; logs:" >&2
  tail -20 "$dir/log/error.log" "$dir/log/stdout.log" >&2 || true
  return 1
}

ch_query() {
  local sql=$1
  shift
  curl -sS --fail-with-body "http://127.0.0.1:$CH_PORT/" --data-binary "$sql" "$@"
}
