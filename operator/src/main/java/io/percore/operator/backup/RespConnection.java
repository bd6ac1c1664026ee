package io.percore.operator.backup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection to a Redis or Percore server, as {@code redis-cli} holds it for {@code --rdb}: commands as RESP arrays,
 * replies read with a bound on every line and bulk a peer sends, and reads that give up after a stall. The snapshot
 * itself is read from {@link #input()} by {@link ReplicationSnapshot}.
 */
final class RespConnection implements Closeable {

    /** The longest line (a status, an error, a length) taken from a peer. */
    static final int MAX_LINE = 64 * 1024;
    /** The largest bulk reply (INFO) taken from a peer. */
    static final int MAX_BULK = 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String address;

    private RespConnection(Socket socket, String address) throws IOException {
        this.socket = socket;
        this.address = address;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = socket.getOutputStream();
    }

    /** Connects within {@code connectTimeout}; every read then fails after {@code stall} without a byte. */
    static RespConnection open(SourceAddress source, Duration connectTimeout, Duration stall) throws BackupException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(stall.toMillis()));
            socket.connect(new InetSocketAddress(source.host(), source.port()), Math.toIntExact(connectTimeout.toMillis()));
            return new RespConnection(socket, source.toString());
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new BackupException(Failure.SOURCE_UNREACHABLE, "cannot resolve the source " + source + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new BackupException(Failure.SOURCE_UNREACHABLE, "no connection to the source " + source + " within "
                    + connectTimeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new BackupException(Failure.SOURCE_UNREACHABLE, "cannot connect to the source " + source + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new BackupException(Failure.SOURCE_UNREACHABLE, "cannot connect to the source " + source + ": " + e, e);
        }
    }

    String address() {
        return address;
    }

    /** Sends one command. */
    void send(String... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
    }

    /**
     * A reply as text: a status ({@code +OK}) or error ({@code -ERR ...}) line as sent, a bulk's contents, an
     * integer's digits after {@code :}. A reply of another kind is a protocol error.
     */
    String reply() throws IOException {
        String line = line();
        if (line.isEmpty()) {
            throw new ProtocolException("an empty line where a reply belongs");
        }
        switch (line.charAt(0)) {
            case '+', '-', ':' -> {
                return line;
            }
            case '$' -> {
                long len;
                try {
                    len = Long.parseLong(line.substring(1));
                } catch (NumberFormatException e) {
                    throw new ProtocolException("a bulk length that is not a number: " + shorten(line));
                }
                if (len < 0) {
                    return null;
                }
                if (len > MAX_BULK) {
                    throw new ProtocolException("a reply of " + len + " bytes, more than the " + MAX_BULK + " taken");
                }
                byte[] data = in.readNBytes((int) len + 2);
                if (data.length < len + 2) {
                    throw new ProtocolException("the connection closed inside a reply");
                }
                return new String(data, 0, (int) len, StandardCharsets.UTF_8);
            }
            default -> throw new ProtocolException("not a RESP reply: " + shorten(line));
        }
    }

    /** One line up to {@code \n}, without its {@code \r\n}; at most {@link #MAX_LINE} bytes. */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new ClosedException("the source closed the connection");
            }
            if (c == '\n') {
                break;
            }
            if (b.size() >= MAX_LINE) {
                throw new ProtocolException("a line longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
        byte[] bytes = b.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The bytes after the replies read so far (the snapshot). */
    InputStream input() {
        return in;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to release beyond the descriptor, which close frees anyway
        }
    }

    static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** The peer broke the protocol. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** The peer closed the connection. */
    static final class ClosedException extends IOException {
        ClosedException(String message) {
            super(message);
        }
    }
}
