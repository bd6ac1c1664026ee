package io.percore.net.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/** One TLS connection (the JDK's client) speaking a line protocol: a line out, a line back. */
public final class TlsLineClient implements AutoCloseable {
    private final SSLSocket socket;
    private final BufferedReader in;

    public TlsLineClient(SSLContext context, int port) throws IOException {
        socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends {@code line}, returns the server's reply line; an {@link SSLException} when the server closed instead. */
    public String ask(String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        String reply = in.readLine();
        if (reply == null) {
            throw new SSLException("closed by the server");
        }
        return reply;
    }

    /** The serial number of the certificate the server presented. */
    public BigInteger peerSerial() throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
