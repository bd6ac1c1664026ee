package io.percore.demo.network;

import io.percore.demo.command.MultiState;
import java.util.ArrayDeque;

/**
 * The commands a connection read and holds back, in order, with their bytes (query memory): behind a barrier (a
 * command waiting for other shards or for data), a CLIENT PAUSE, or a reservation of its shard.
 */
final class HeldCommands {

    private final ArrayDeque<byte[][]> commands = new ArrayDeque<>();
    private long bytes;
    /** What is read waits in line: a command waits for other shards or for data, a pause or the shard's reservation holds. */
    private boolean barrier;

    /** Marks a held protocol error (compared by identity: no command's name is this array). */
    private static final byte[] PROTOCOL_ERROR = new byte[0];

    /** A protocol error read behind held commands: answered in its place in line, as Redis answers it, not dropped with them. */
    void addProtocolError(String replyText) {
        add(new byte[][] {PROTOCOL_ERROR, replyText.getBytes(java.nio.charset.StandardCharsets.UTF_8)});
    }

    /** The text of the protocol error {@code held} stands for, or null when it is a command. */
    static String protocolError(byte[][] held) {
        return held[0] == PROTOCOL_ERROR ? new String(held[1], java.nio.charset.StandardCharsets.UTF_8) : null;
    }

    /** Whether what is read waits in line now. */
    boolean barrier() {
        return barrier;
    }

    /** From now on what is read waits in line. */
    void raiseBarrier() {
        barrier = true;
    }

    /** What waits in line may run again (the caller runs it). */
    void lowerBarrier() {
        barrier = false;
    }

    /** A command read and held back: the end of the line. */
    void add(byte[][] argv) {
        commands.add(argv);
        bytes += MultiState.bytesOf(argv);
    }

    /** A command that must run before those held back: the front of the line. */
    void addFirst(byte[][] argv) {
        commands.addFirst(argv);
        bytes += MultiState.bytesOf(argv);
    }

    /** The next command to run, or null. */
    byte[][] next() {
        byte[][] argv = commands.poll();
        if (argv != null) {
            bytes -= MultiState.bytesOf(argv);
        }
        return argv;
    }

    /** The connection goes: what it has not run is dropped. */
    void drop() {
        commands.clear();
        bytes = 0;
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }

    int size() {
        return commands.size();
    }

    long bytes() {
        return bytes;
    }
}
