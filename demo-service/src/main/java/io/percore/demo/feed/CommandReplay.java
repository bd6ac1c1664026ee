package io.percore.demo.feed;

/**
 * Runs the commands of a feed read back, through the same command table clients use: an
 * append-only file's at start (Redis's fake client in {@code loadSingleAppendOnlyFile}), a primary's
 * stream on a replica (Redis's master client). The {@code replay} package implements it; the reader
 * calls it from one thread, in the feed's order.
 */
public interface CommandReplay {

    /**
     * Runs {@code argv}, the next command of the feed; may return before it ran, but commands on
     * the same keys run in the order given.
     *
     * @throws IllegalArgumentException naming the command when this server does not know it
     */
    void run(byte[][] argv);

    /** Waits until every command given has run. @return how many of them answered with an error */
    long finish();
}
