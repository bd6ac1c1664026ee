package io.percore.demo.persistence;

/**
 * Runs the commands read from an append-only file at start (Redis's fake client in
 * {@code loadSingleAppendOnlyFile}), through the same command table clients use. The RESP server
 * implements it; the loader calls it from the starting thread, in file order.
 */
public interface CommandReplay {

    /**
     * Runs {@code argv}, the next command of the file; may return before it ran, but commands on
     * the same keys run in the order given.
     *
     * @throws IllegalArgumentException naming the command when this server does not know it
     */
    void run(byte[][] argv);

    /** Waits until every command given has run. @return how many of them answered with an error */
    long finish();
}
