package io.percore.demo.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A Kubernetes Service between a client and the server it selects, for the tests of what a client sees in a failover:
 * it forwards each connection to the target it had when the connection was made (as kube-proxy's connection tracking
 * does), and a test can move the target (the primary label moved), stall (a server that stops answering: the kernel
 * still takes the bytes, nothing closes, nothing comes back), and refuse (no endpoint: every connection closed, new ones
 * refused) and take connections again, on the same port.
 */
public final class ServiceProxy implements AutoCloseable {

    private volatile int target;
    private final TcpRelay relay;
    private final Object gate = new Object();
    private boolean stalled; // guarded by gate

    private ServiceProxy(int port, int target) {
        this.target = target;
        this.relay = new TcpRelay("service-proxy", port, () -> this.target, this::pump, this::pump);
    }

    /** A proxy on a free port of {@link TestPorts} to the server on {@code target}. */
    public static ServiceProxy to(int target) throws IOException {
        ServiceProxy proxy = new ServiceProxy(TestPorts.free(), target);
        proxy.accept();
        return proxy;
    }

    public int port() {
        return relay.port();
    }

    /** New connections go to {@code target}; those made before stay with theirs. */
    public void retarget(int target) {
        this.target = target;
    }

    /** Stops forwarding in both directions, closing nothing: bytes sent meanwhile are held. */
    public void stall() {
        synchronized (gate) {
            stalled = true;
        }
    }

    /** Forwards again, the held bytes first. */
    public void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    /** Closes every connection and stops listening: a connect is refused until {@link #accept()}. */
    public void refuse() throws IOException {
        relay.closeAll();
    }

    /** Listens on its port (again). */
    public void accept() throws IOException {
        relay.listen();
    }

    /** Copies {@code from} to {@code to}, waiting while stalled. */
    private void pump(Socket from, Socket to) throws IOException, InterruptedException {
        byte[] buffer = new byte[16 * 1024];
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
            synchronized (gate) {
                while (stalled) {
                    gate.wait();
                }
            }
            out.write(buffer, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        refuse();
        resume();
    }
}
