package io.percore.demo.admin;

import static io.percore.demo.admin.ConfigType.invalid;
import static io.percore.demo.admin.ServerParameters.yesNo;

import io.percore.demo.persistence.AofSettings;
import io.percore.demo.persistence.SaveRules;
import java.util.List;

/**
 * The CONFIG table's persistence rows (Redis's {@code rdb.c} and {@code aof.c} ones): the save rules and
 * the append-only file's policy change live; where the files are is fixed at start; what the files
 * are (checksummed, a base in RDB format) is fixed here.
 */
final class PersistenceParameters {

    private PersistenceParameters() {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                ConfigParameter.live("save", ConfigType.of("seconds changes, repeated", PersistenceParameters::saveRules),
                        v -> v.persistence().save().text(), (n, rules) -> n.persistence = n.persistence.withSave(rules))
                        .setBy("persistence.save").defaultIs("by percore.demo.persistence.mode (\"\" with none)"),
                ConfigParameter.live("stop-writes-on-bgsave-error", ConfigType.YES_NO, v -> yesNo(v.persistence().stopWritesOnBgsaveError()),
                        (n, stop) -> n.persistence = n.persistence.withStopWritesOnBgsaveError(stop))
                        .setBy("persistence.stop-writes-on-bgsave-error"),
                // Redis 7.0's protected configs (enable-protected-configs no): read here, set in percore.demo.persistence.*
                ConfigParameter.unchangeable("dir", "directory", ConfigParameter.Change.PROTECTED,
                        v -> v.persistence().dir().toAbsolutePath().normalize().toString())
                        .defaultIs("percore.demo.persistence.dir (the working directory)"),
                ConfigParameter.unchangeable("dbfilename", "file name", ConfigParameter.Change.PROTECTED, v -> v.persistence().dbfilename())
                        .defaultIs("percore.demo.persistence.dbfilename (dump.rdb)"),
                // what the files are: checksummed always, strings written plain (LZF is read, not written)
                fixed("rdbchecksum", true),
                fixed("rdbcompression", false),
                // the append-only file: on and off, its fsync policy and rewrite thresholds live; where it is, fixed at start
                ConfigParameter.live("appendonly", ConfigType.YES_NO, v -> yesNo(v.persistence().aof().enabled()),
                        (n, on) -> n.persistence = n.persistence.withAof(n.persistence.aof().withEnabled(on)))
                        .defaultIs("percore.demo.persistence.mode aof (no)"),
                ConfigParameter.live("appendfsync", ConfigType.oneOf("always, everysec, no", AofSettings.Fsync::parse),
                        v -> v.persistence().aof().fsync().text(), (n, fsync) -> n.persistence = n.persistence.withAof(n.persistence.aof().withFsync(fsync)))
                        .setBy("persistence.appendfsync"),
                ConfigParameter.live("auto-aof-rewrite-percentage", ConfigType.signed(0, Integer.MAX_VALUE),
                        v -> Integer.toString(v.persistence().aof().autoRewritePercentage()),
                        (n, percent) -> n.persistence = n.persistence.withAof(n.persistence.aof().withAutoRewrite(percent.intValue(),
                                n.persistence.aof().autoRewriteMinSize()))).setBy("persistence.auto-aof-rewrite-percentage"),
                ConfigParameter.live("auto-aof-rewrite-min-size", ConfigType.memory(0, Long.MAX_VALUE),
                        v -> Long.toString(v.persistence().aof().autoRewriteMinSize()),
                        (n, bytes) -> n.persistence = n.persistence.withAof(n.persistence.aof().withAutoRewrite(
                                n.persistence.aof().autoRewritePercentage(), bytes))).setBy("persistence.auto-aof-rewrite-min-size"),
                ConfigParameter.live("aof-load-truncated", ConfigType.YES_NO, v -> yesNo(v.persistence().aof().loadTruncated()),
                        (n, on) -> n.persistence = n.persistence.withAof(n.persistence.aof().withLoadTruncated(on)))
                        .setBy("persistence.aof-load-truncated"),
                ConfigParameter.unchangeable("appenddirname", "directory name", ConfigParameter.Change.IMMUTABLE, v -> v.persistence().aof().dirname()),
                ConfigParameter.unchangeable("appendfilename", "file name prefix", ConfigParameter.Change.IMMUTABLE, v -> v.persistence().aof().filename()),
                // what the log is: a base in RDB format, commands without timestamps, fsynced in one go per batch
                fixed("aof-use-rdb-preamble", true),
                fixed("aof-timestamp-enabled", false));
    }

    private static SaveRules saveRules(String text) {
        try {
            return SaveRules.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /** A yes/no this server has one answer to: that one is accepted (nothing changes), the other refused. */
    private static ConfigParameter<Boolean> fixed(String name, boolean only) {
        return ConfigParameter.fixed(name, ConfigType.YES_NO, v -> yesNo(only), "this server's " + name + " is always " + yesNo(only));
    }
}
