"""What the attack scripts share: the real jar started as a fresh demo process, raw RESP and HTTP
clients, and one PASS/FAIL line per check."""
import glob
import os
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = []


def jar():
    explicit = os.environ.get("PERCORE_JAR")
    if explicit:
        return explicit
    found = sorted(glob.glob(os.path.join(ROOT, "demo-service/target/percore-demo-service-*-exec.jar")))
    if not found:
        subprocess.run(["./mvnw", "-B", "-q", "-pl", "demo-service", "-am", "package", "-DskipTests"], cwd=ROOT, check=True)
        found = sorted(glob.glob(os.path.join(ROOT, "demo-service/target/percore-demo-service-*-exec.jar")))
    return found[-1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Demo:
    """One demo process with free ports; its log goes to a temp file."""

    def __init__(self, *args, ulimit=None, heap="512m"):
        self.resp, self.http, self.mgmt = free_port(), free_port(), free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="percore-attack-", suffix=".log", delete=False)
        cmd = ["java", f"-Xms{heap}", f"-Xmx{heap}", "-XX:+ExitOnOutOfMemoryError", "-jar", jar(),
               f"--percore.servers.resp.port={self.resp}", f"--percore.servers.http.port={self.http}",
               f"--management.server.port={self.mgmt}", "--percore.engine.shards=2",
               "--percore.engine.mode=overprovisioned", *args]
        if ulimit:
            cmd = ["bash", "-c", f"ulimit -n {ulimit}; exec \"$@\"", "bash", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERCORE_")}
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                # The whole application is up when Actuator answers too (it starts after the shards).
                if resp(self.resp, b"PING\r\n", timeout=1)[:7] in (b"+PONG\r\n", b"-NOAUTH") and http(
                        self.mgmt, b"GET /actuator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        timeout=2).startswith(b"HTTP/1.1 "):
                    return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    def log_text(self):
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode


def resp(port, payload, timeout=5.0, until_close=False):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        if until_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if not until_close and out.endswith(b"\r\n"):
                break
        return out


def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def http(port, raw, timeout=10.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            out += b"<no close>"
        return out


def record(name, ok, detail):
    RESULTS.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def run(attacks):
    """Runs the chosen attacks (all without arguments), prints a summary and exits 1 if any failed."""
    import sys
    chosen = sys.argv[1:] or list(attacks)
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} jar={jar()} load={os.getloadavg()[0]:.1f}", flush=True)
    for name in chosen:
        try:
            attacks[name]()
        except Exception as e:  # an attack that crashes the script is a failed attack, not a skipped one
            record(name, False, f"{type(e).__name__}: {e}")
    failed = [n for n, ok in RESULTS if not ok]
    print(f"\n{len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
