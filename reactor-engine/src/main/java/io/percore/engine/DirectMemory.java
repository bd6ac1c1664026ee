package io.percore.engine;

/**
 * Telling a spent direct memory from a JVM in trouble. Both are {@link OutOfMemoryError}s, and a shard
 * treats an {@code OutOfMemoryError} as fatal ({@link FatalErrorHandler}); but a direct buffer that
 * cannot be reserved allocated nothing and left the heap whole. Where that buffer was one connection's
 * (its next read, its replies), closing that connection gives its buffers back and the shard goes on, as
 * Redis closes a client over its limits; anywhere else the error stays fatal.
 */
public final class DirectMemory {

    private DirectMemory() {
    }

    /** The JDK's "Cannot reserve N bytes of direct buffer memory", Netty's own counter's error, or an older JDK's text. */
    public static boolean spent(OutOfMemoryError e) {
        String message = e.getMessage();
        return e instanceof io.netty.util.internal.OutOfDirectMemoryError
                || message != null && (message.contains("direct buffer memory") || message.contains("Direct buffer memory"));
    }
}
