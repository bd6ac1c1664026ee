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
