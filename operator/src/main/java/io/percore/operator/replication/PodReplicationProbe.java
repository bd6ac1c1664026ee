package io.percore.operator.replication;

import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's only conversation with a pod: RESP over a plain socket, one connection per call,
 * {@code AUTH} when a password is set ({@link PodAuth}: the operator's own ACL user, the default user's password
 * when the pod does not know that user yet), then {@code INFO replication} or {@code REPLICAOF}. A pod is
 * not trusted: connect and read time out, and a reply longer than {@link #MAX_REPLY_BYTES} or not
 * RESP is an error, never an allocation the pod chose.
 */
public class PodReplicationProbe {

    /** INFO replication with 16 replicas is about 2 KiB. */
    public static final int MAX_REPLY_BYTES = 64 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final Duration timeout;

    public PodReplicationProbe() {
        this(DEFAULT_TIMEOUT);
    }

    public PodReplicationProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /** A pod answered, but not as the contract says (an error reply, a malformed or oversized reply). */
    public static class ProbeException extends IOException {
        public ProbeException(String message) {
            super(message);
        }
    }

    /**
     * The pod refused the operator's credentials: a wrong password ({@code -WRONGPASS}), a password the
     * pod does not have, or none where it wants one ({@code -NOAUTH}). Its message is the pod's reply,
     * which never repeats the password.
     */
    public static final class AuthRefusedException extends ProbeException {
        public AuthRefusedException(String message) {
            super(message);
        }
    }

    /** An error reply; {@link #code()} is its first word ({@code ERR}, {@code NOAUTH} ...), {@link #reply()} the whole of it. */
    public static final class ErrorReplyException extends ProbeException {
        /** Enough for Redis's longest error texts (an ACL SETUSER modifier is quoted whole); a pod's reply is bounded anyway. */
        static final int MAX_REPLY_CHARS = 600;
        private final String code;
        private final String reply;

        ErrorReplyException(String error) {
            super("error reply: " + abbreviate(error));
            int space = error.indexOf(' ');
            this.code = space < 0 ? error : error.substring(0, space);
            String clean = error.replaceAll("[^\\x20-\\x7e]", "?");
            this.reply = clean.length() > MAX_REPLY_CHARS ? clean.substring(0, MAX_REPLY_CHARS - 3) + "..." : clean;
        }

        public String code() {
            return code;
        }

        /** The pod's error text as it sent it (non-printable characters as '?', at most {@value #MAX_REPLY_CHARS}). */
        public String reply() {
            return reply;
        }
    }

    /**
     * {@code INFO replication keyspace persistence}, parsed: the role, offsets and link, and the keys it holds.
     *
     * @throws ProbeException also while the pod still loads its files ({@code loading:1}): what it holds is not known yet
     */
    public Observed info(HostPort pod, PodAuth auth) throws IOException {
        return parseInfo(call(pod, auth, "INFO", "replication", "keyspace", "persistence"));
    }

    /**
     * The wait of a switchover: reads the primary's offset once, then the replica's until it has reached it
     * (every write the primary had acknowledged by then is on the replica).
     *
     * @param replicaName how errors name the replica
     * @throws IOException when it has not within {@code within}, or a pod does not answer
     */
    public void awaitOffset(HostPort primary, HostPort replica, String replicaName, PodAuth auth, java.time.Duration within)
            throws IOException {
        long target = info(primary, auth).offset();
        long deadline = System.nanoTime() + within.toNanos();
        long reached = info(replica, auth).offset();
        while (reached < target) {
            if (System.nanoTime() > deadline) {
                throw new ProbeException(replicaName + " reached offset " + reached + " of " + target + " within " + within);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("switchover interrupted");
            }
            reached = info(replica, auth).offset();
        }
    }

    /**
     * {@code CLIENT PAUSE <ms> WRITE}: the pod holds its clients' writes (not {@code INFO} nor {@code REPLICAOF}) until the
     * time is up, so that the offset a switchover reads next is its last (Redis 7's {@code FAILOVER} pauses the same way).
     * A pause already on keeps the later end (a stopping primary holds its writes until it ends).
     */
    public void pauseWrites(HostPort pod, PodAuth auth, Duration forAtMost) throws IOException {
        expectOk(call(pod, auth, "CLIENT", "PAUSE", Long.toString(forAtMost.toMillis()), "WRITE"));
    }

    /** {@code CLIENT UNPAUSE}: the writes {@link #pauseWrites} held run (or are redirected, by a layout sent meanwhile). */
    public void unpauseWrites(HostPort pod, PodAuth auth) throws IOException {
        expectOk(call(pod, auth, "CLIENT", "UNPAUSE"));
    }

    /** {@code REPLICAOF NO ONE}: the pod becomes a primary, keeping its data and continuing its offsets. */
    public void promote(HostPort pod, PodAuth auth) throws IOException {
        expectOk(call(pod, auth, "REPLICAOF", "NO", "ONE"));
    }

    /** {@code REPLICAOF <host> <port>}. */
    public void replicaOf(HostPort pod, PodAuth auth, HostPort primary) throws IOException {
        expectOk(call(pod, auth, "REPLICAOF", primary.host(), Integer.toString(primary.port())));
    }

    private static void expectOk(String reply) throws ProbeException {
        if (!reply.startsWith("OK")) {
            throw new ProbeException("unexpected reply: " + abbreviate(reply));
        }
    }

    private String call(HostPort pod, PodAuth auth, String... command) throws IOException {
        Object reply = command(pod, auth, MAX_REPLY_BYTES, command);
        if (!(reply instanceof String text)) {
            throw new ProbeException("unexpected reply type: " + (reply == null ? "null" : reply.getClass().getSimpleName()));
        }
        return text;
    }

    /**
     * One command on its own connection (after {@code AUTH} when a password is set), bounded as every
     * call here: at most {@code maxReplyBytes} read, twice the timeout in all.
     *
     * @return the reply: String (simple or bulk), Long, or a List of those; an error reply is thrown
     */
    public Object command(HostPort pod, String password, int maxReplyBytes, String... command) throws IOException {
        return command(pod, PodAuth.password(password), maxReplyBytes, command);
    }

    /** The same, authenticating as an ACL {@code user} ({@code AUTH user password}) when one is given. */
    public Object command(HostPort pod, String user, String password, int maxReplyBytes, String... command) throws IOException {
        return command(pod, new PodAuth(user, password, null), maxReplyBytes, command);
    }

    /**
     * The same with {@code auth}: its user first and, when the pod refuses it and {@code auth} has a fallback, the default
     * user's password on the same connection (Redis keeps a connection open after a refused AUTH).
     */
    public Object command(HostPort pod, PodAuth auth, int maxReplyBytes, String... command) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos() * 2;
        try (Socket socket = open(pod, auth, deadline)) {
            OutputStream out = socket.getOutputStream();
            Reader in = new Reader(new java.io.BufferedInputStream(socket.getInputStream()), maxReplyBytes);
            out.write(encode(command));
            out.flush();
            try {
                return in.value(deadline);
            } catch (ErrorReplyException e) {
                if (e.code().equals("NOAUTH")) {
                    throw new AuthRefusedException((auth.password() == null ? "no password given, the pod wants one: " : "") + e.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * A connection to the pod, authenticated with {@code auth} as {@link #command(HostPort, PodAuth, int, String...)} does
     * (connect and each read bounded by the timeout): the caller's to close.
     *
     * @throws java.net.ConnectException when the pod refuses the connection (nothing listens on its port)
     */
    public Socket open(HostPort pod, PodAuth auth) throws IOException {
        return open(pod, auth, System.nanoTime() + timeout.toNanos() * 2);
    }

    private Socket open(HostPort pod, PodAuth auth, long deadline) throws IOException {
        int millis = (int) Math.max(1, timeout.toMillis());
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(pod.host(), pod.port()), millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            if (auth.password() != null) {
                OutputStream out = socket.getOutputStream();
                // unbuffered: nothing the pod sends after the AUTH reply may be read ahead into a buffer the caller never sees
                Reader in = new Reader(socket.getInputStream(), MAX_REPLY_BYTES);
                try {
                    authenticate(out, in, deadline, auth.user(), auth.password());
                } catch (AuthRefusedException refused) {
                    if (auth.fallback() == null) {
                        throw refused;
                    }
                    try {
                        authenticate(out, in, deadline, null, auth.fallback());
                    } catch (AuthRefusedException alsoRefused) {
                        throw new AuthRefusedException(refused.getMessage() + "; as default: " + alsoRefused.getMessage());
                    }
                }
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static void authenticate(OutputStream out, Reader in, long deadline, String user, String password) throws IOException {
        out.write(user == null ? encode("AUTH", password) : encode("AUTH", user, password));
        out.flush();
        String reply;
        try {
            reply = in.reply(deadline);
        } catch (ErrorReplyException e) {
            throw new AuthRefusedException("AUTH refused: " + e.getMessage());
        } catch (ProbeException e) {
            throw new ProbeException("AUTH: " + e.getMessage());
        }
        if (!"OK".equals(reply)) {
            throw new ProbeException("AUTH: unexpected reply " + abbreviate(reply));
        }
    }

    static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads one reply: a simple string, an error (thrown), a bulk string, an integer or an array of
     * those; at most {@code maxBytes} in all.
     */
    static final class Reader {
        private final InputStream in;
        private final int maxBytes;
        private int consumed;

        Reader(InputStream in) {
            this(in, MAX_REPLY_BYTES);
        }

        Reader(InputStream in, int maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        String reply(long deadlineNanos) throws IOException {
            Object v = value(deadlineNanos);
            if (!(v instanceof String s)) {
                throw new ProbeException("unexpected reply type: " + v.getClass().getSimpleName());
            }
            return s;
        }

        Object value(long deadlineNanos) throws IOException {
            String line = line(deadlineNanos);
            if (line.isEmpty()) {
                throw new ProbeException("empty reply");
            }
            char type = line.charAt(0);
            String rest = line.substring(1);
            switch (type) {
                case '+':
                    return rest;
                case ':':
                    try {
                        return Long.parseLong(rest);
                    } catch (NumberFormatException e) {
                        throw new ProbeException("malformed integer: " + abbreviate(rest));
                    }
                case '*': {
                    int count;
                    try {
                        count = Integer.parseInt(rest);
                    } catch (NumberFormatException e) {
                        throw new ProbeException("malformed array length: " + abbreviate(rest));
                    }
                    if (count < 0) {
                        throw new ProbeException("null reply");
                    }
                    // every element takes at least 3 bytes (":0\r\n" is 4): a count past what is left is a lie
                    if (count > (maxBytes - consumed) / 3) {
                        throw new ProbeException("array of " + count + " elements exceeds " + maxBytes + " bytes");
                    }
                    java.util.List<Object> items = new java.util.ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        items.add(value(deadlineNanos));
                    }
                    return items;
                }
                case '-':
                    throw new ErrorReplyException(rest);
                case '$': {
                    int length;
                    try {
                        length = Integer.parseInt(rest);
                    } catch (NumberFormatException e) {
                        throw new ProbeException("malformed bulk length: " + abbreviate(rest));
                    }
                    if (length < 0) {
                        throw new ProbeException("null reply");
                    }
                    if (length > maxBytes - consumed) {
                        throw new ProbeException("reply of " + length + " bytes exceeds " + maxBytes);
                    }
                    byte[] body = in.readNBytes(length + 2);
                    consumed += body.length;
                    check(deadlineNanos);
                    if (body.length != length + 2 || body[length] != '\r' || body[length + 1] != '\n') {
                        throw new ProbeException("truncated bulk reply");
                    }
                    return new String(body, 0, length, StandardCharsets.UTF_8);
                }
                default:
                    throw new ProbeException("unexpected reply type '" + type + "'");
            }
        }

        private String line(long deadlineNanos) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new ProbeException("connection closed mid-reply");
                }
                if (++consumed > maxBytes) {
                    throw new ProbeException("reply exceeds " + maxBytes + " bytes");
                }
                if (prev == '\r' && c == '\n') {
                    byte[] bytes = b.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                b.write(c);
                prev = c;
                if ((consumed & 0xff) == 0) {
                    check(deadlineNanos);
                }
            }
        }

        private static void check(long deadlineNanos) throws ProbeException {
            // A pod trickling one byte per read timeout must not hold the reconcile for ever.
            if (System.nanoTime() > deadlineNanos) {
                throw new ProbeException("reply too slow");
            }
        }
    }

    /** Parses Redis 7.0's {@code INFO replication} fields this operator relies on. */
    static Observed parseInfo(String info) throws ProbeException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        if ("1".equals(fields.get("loading"))) {
            throw new ProbeException("still loading its data (loading:1)");
        }
        long keys = fields.containsKey("loading") ? keys(fields) : Observed.UNKNOWN_KEYS; // no persistence section: it did not say
        String replid = replid(fields.get("master_replid"));
        String replid2 = replid(fields.get("master_replid2"));
        long secondOffset = replid2 == null || !fields.containsKey("second_repl_offset") ? -1 : number(fields, "second_repl_offset");
        // the demo's (not Redis's): the position the files it loaded at start named last, which it holds at least, said also
        // when commands follow it in them and it says offset 0
        String loadedReplid = replid(fields.get("loaded_repl_id"));
        long loadedOffset = fields.containsKey("loaded_repl_offset_at_least") ? number(fields, "loaded_repl_offset_at_least") : -1;
        LastSeenPositions.Position loaded = loadedReplid == null || loadedOffset < 0 ? null
                : new LastSeenPositions.Position(loadedReplid, loadedOffset);
        String role = fields.get("role");
        if ("master".equals(role)) {
            return Observed.master(number(fields, "master_repl_offset")).withKeys(keys).withHistory(replid, replid2, secondOffset)
                    .withLoaded(loaded);
        }
        if ("slave".equals(role)) {
            String host = fields.get("master_host");
            String port = fields.get("master_port");
            HostPort following = null;
            if (host != null && port != null) {
                try {
                    following = new HostPort(host, Integer.parseInt(port));
                } catch (NumberFormatException e) {
                    throw new ProbeException("malformed master_port: " + abbreviate(port));
                }
            }
            return Observed.replica(number(fields, "slave_repl_offset"), following, "up".equals(fields.get("master_link_status")))
                    .withKeys(keys).withHistory(replid, replid2, secondOffset).withLoaded(loaded);
        }
        throw new ProbeException("INFO replication without role:master|slave");
    }

    /** A replication id as INFO says it; none (Redis writes forty zeros) or not one is null. */
    private static String replid(String value) {
        return value == null || !value.matches("[0-9a-f]{40}") || value.matches("0{40}") ? null : value;
    }

    /** The keys of INFO keyspace's {@code db<n>:keys=<n>,expires=...} lines, summed (none: 0). */
    private static long keys(Map<String, String> fields) throws ProbeException {
        long keys = 0;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getKey().matches("db\\d+") && e.getValue().startsWith("keys=")) {
                int comma = e.getValue().indexOf(',');
                String n = comma < 0 ? e.getValue().substring(5) : e.getValue().substring(5, comma);
                try {
                    keys += Long.parseLong(n);
                } catch (NumberFormatException ex) {
                    throw new ProbeException("malformed " + e.getKey() + ": " + abbreviate(e.getValue()));
                }
            }
        }
        return keys;
    }

    private static long number(Map<String, String> fields, String key) throws ProbeException {
        String v = fields.get(key);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ProbeException("malformed " + key + ": " + abbreviate(v));
        }
    }

    static String abbreviate(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 120 ? clean.substring(0, 117) + "..." : clean;
    }

}
