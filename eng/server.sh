# Sourced by eng/package-test.sh and eng/h2load-crosscheck.sh: starts the built server on a free loopback port.
# start_server DLL LOG [VAR=VALUE ...]: runs `dotnet DLL --urls http://127.0.0.1:0` with the variables given (and the
# metrics endpoint off), output to LOG; sets server_pid, and address once Kestrel logs the port it picked. On
# failure it prints the log and exits. The caller's EXIT trap stops $server_pid.
start_server() {
  local dll="$1" log="$2"
  shift 2
  env DocStore__Metrics__Port=0 "$@" dotnet "$dll" --urls http://127.0.0.1:0 >"$log" 2>&1 &
  server_pid=$!
  address=""
  for _ in $(seq 1 600); do
    address=$(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$log" | head -n1 | sed 's/Now listening on: //' || true)
    [ -n "$address" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server did not start:"; cat "$log"; exit 1
}
