package io.percore.net.redis;

import java.util.Arrays;
import java.util.List;

/** A Redis command: its name and arguments, sent as a RESP array of bulk strings. */
public final class RedisCommand {

    private final List<String> args;

    private RedisCommand(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("A Redis command needs at least its name");
        }
        this.args = args;
    }

    public static RedisCommand of(String... args) {
        return new RedisCommand(List.copyOf(Arrays.asList(args)));
    }

    public List<String> args() {
        return args;
    }

    public String name() {
        return args.get(0);
    }

    @Override
    public String toString() {
        return String.join(" ", args);
    }
}
