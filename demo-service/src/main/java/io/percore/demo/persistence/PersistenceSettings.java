package io.percore.demo.persistence;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and when the keyspace is saved ({@code percore.demo.persistence.*}, Redis's names).
 *
 * @param dir                     the data directory (Redis's {@code dir}): the snapshot is written and read there
 * @param dbfilename              the snapshot's file name in {@code dir} (Redis's {@code dbfilename})
 * @param save                    when to snapshot on its own, and whether to at shutdown (Redis's {@code save})
 * @param stopWritesOnBgsaveError whether writes are refused with {@code -MISCONF} while the last background save failed
 * @param finalSaveTimeout        how long the final save at shutdown may take (the pod's grace period must be longer)
 * @param aof                     the append-only file ({@code appendonly}, {@code appendfsync}, ...)
 */
public record PersistenceSettings(Path dir, String dbfilename, SaveRules save, boolean stopWritesOnBgsaveError,
                                  Duration finalSaveTimeout, AofSettings aof) {

    /** The final save's bound unless configured. */
    public static final Duration DEFAULT_FINAL_SAVE_TIMEOUT = Duration.ofSeconds(60);

    /** Without the append-only file. */
    public PersistenceSettings(Path dir, String dbfilename, SaveRules save, boolean stopWritesOnBgsaveError, Duration finalSaveTimeout) {
        this(dir, dbfilename, save, stopWritesOnBgsaveError, finalSaveTimeout, AofSettings.OFF);
    }

    public PersistenceSettings {
        if (dbfilename.isEmpty() || dbfilename.contains("/") || dbfilename.contains("\\")) {
            throw new IllegalArgumentException("dbfilename can't be a path, just a filename");
        }
    }

    /** Nothing saved unless asked (SAVE, BGSAVE): the working directory, dump.rdb, no save rules. */
    public static PersistenceSettings defaults() {
        return new PersistenceSettings(Path.of("."), "dump.rdb", SaveRules.NONE, true, DEFAULT_FINAL_SAVE_TIMEOUT);
    }

    /** In {@code dir}, with these defaults otherwise: what tests use. */
    public static PersistenceSettings in(Path dir) {
        return new PersistenceSettings(dir, "dump.rdb", SaveRules.NONE, true, DEFAULT_FINAL_SAVE_TIMEOUT);
    }

    public Path snapshotFile() {
        return dir.resolve(dbfilename);
    }

    public PersistenceSettings withSave(SaveRules rules) {
        return new PersistenceSettings(dir, dbfilename, rules, stopWritesOnBgsaveError, finalSaveTimeout, aof);
    }

    public PersistenceSettings withStopWritesOnBgsaveError(boolean stop) {
        return new PersistenceSettings(dir, dbfilename, save, stop, finalSaveTimeout, aof);
    }

    public PersistenceSettings withAof(AofSettings next) {
        return new PersistenceSettings(dir, dbfilename, save, stopWritesOnBgsaveError, finalSaveTimeout, next);
    }
}
