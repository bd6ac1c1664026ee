# Helpers the benchmark scripts share for the servers they start (sourced, not run).

# alive PID: whether the process runs (a zombie does not)
alive() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$s" ] && [ "$s" != Z ]; }

# stop_pid PID SECONDS WHO: SIGTERM (a server shuts down cleanly: the AOF is fsynced), SIGKILL after SECONDS, reaped
stop_pid() {
  local p=$1 seconds=$2 who=$3
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 10))); do alive "$p" || break; sleep 0.1; done
  if alive "$p"; then echo "$who: server $p still running $seconds s after SIGTERM, killing it" >&2; kill -KILL "$p" 2>/dev/null || true; fi
  wait "$p" 2>/dev/null || true
}

# free_port: a TCP port free on the loopback interface now
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
