package io.percore.demo.acl;

import io.percore.demo.command.CommandTable;
import io.percore.demo.table.RespCommands;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The catalog the server builds (Redis 7.0.15's commands and the table's), and helpers for tests without a server. */
final class Catalogs {

    static final CommandTable TABLE = RespCommands.table(6380);
    static final CommandCatalog CATALOG = TABLE;

    private Catalogs() {
    }

    /** A user named {@code name} made by {@code rules} (on a new user, acl-pubsub-default resetchannels). */
    static User user(String name, String... rules) {
        return new UserDraft(CATALOG, name, false).apply(List.of(rules)).freeze();
    }

    static byte[][] argv(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
    }

    /** The check of {@code args} for {@code user}, the command looked up as Redis's lookupCommand does. */
    static Denial check(User user, String... args) {
        byte[][] argv = argv(args);
        int id = CATALOG.lookupAny(argv);
        if (id < 0) {
            throw new IllegalArgumentException("no command " + args[0]);
        }
        return AccessCheck.check(user, CATALOG.command(id), argv);
    }
}
