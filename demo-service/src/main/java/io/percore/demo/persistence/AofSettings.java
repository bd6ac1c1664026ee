package io.percore.demo.persistence;

import java.util.Locale;

/**
 * The append-only file's settings, Redis 7.0's names ({@code percore.demo.persistence.*}).
 *
 * @param enabled               Redis's {@code appendonly}: every write is logged, and the file is what a start loads
 * @param fsync                 Redis's {@code appendfsync}
 * @param dirname               Redis's {@code appenddirname}: the directory under {@code dir} holding the files
 * @param filename              Redis's {@code appendfilename}: the prefix of the files' names
 * @param autoRewritePercentage Redis's {@code auto-aof-rewrite-percentage}: growth over the size after the last
 *                              rewrite that starts one on its own (0: never)
 * @param autoRewriteMinSize    Redis's {@code auto-aof-rewrite-min-size}: no automatic rewrite below this size (bytes)
 * @param loadTruncated         Redis's {@code aof-load-truncated}: a last command torn by a crash is dropped (and the
 *                              file cut there) instead of stopping the start
 */
public record AofSettings(boolean enabled, Fsync fsync, String dirname, String filename, int autoRewritePercentage,
                          long autoRewriteMinSize, boolean loadTruncated) {

    /** Redis's {@code appendfsync}: when the log is forced to the disk. */
    public enum Fsync {
        /** Before the reply to a write leaves (group commit: one fsync for every write made meanwhile). */
        ALWAYS,
        /** Once a second: a crash of the machine loses at most about a second; a crash of the process, what the writer had not written. */
        EVERYSEC,
        /** When the operating system likes. */
        NO;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for anything but always, everysec or no */
        public static Fsync parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "always" -> ALWAYS;
                case "everysec" -> EVERYSEC;
                case "no" -> NO;
                default -> throw new IllegalArgumentException("appendfsync must be always, everysec or no, got '" + text + "'");
            };
        }
    }

    public static final String DEFAULT_DIRNAME = "appendonlydir";
    public static final String DEFAULT_FILENAME = "appendonly.aof";
    public static final long DEFAULT_MIN_SIZE = 64L << 20;

    /** Off, with Redis's defaults for when it is turned on. */
    public static final AofSettings OFF = new AofSettings(false, Fsync.EVERYSEC, DEFAULT_DIRNAME, DEFAULT_FILENAME, 100,
            DEFAULT_MIN_SIZE, true);

    public AofSettings {
        requireName("appenddirname", dirname);
        requireName("appendfilename", filename);
        if (autoRewritePercentage < 0) {
            throw new IllegalArgumentException("auto-aof-rewrite-percentage must be 0 or more, got " + autoRewritePercentage);
        }
        if (autoRewriteMinSize < 0) {
            throw new IllegalArgumentException("auto-aof-rewrite-min-size must be 0 or more, got " + autoRewriteMinSize);
        }
    }

    private static void requireName(String what, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains(" ") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " can't be a path, just a filename (without spaces), got '" + name + "'");
        }
    }

    public AofSettings withEnabled(boolean on) {
        return new AofSettings(on, fsync, dirname, filename, autoRewritePercentage, autoRewriteMinSize, loadTruncated);
    }

    public AofSettings withFsync(Fsync policy) {
        return new AofSettings(enabled, policy, dirname, filename, autoRewritePercentage, autoRewriteMinSize, loadTruncated);
    }

    public AofSettings withAutoRewrite(int percentage, long minSize) {
        return new AofSettings(enabled, fsync, dirname, filename, percentage, minSize, loadTruncated);
    }

    public AofSettings withLoadTruncated(boolean on) {
        return new AofSettings(enabled, fsync, dirname, filename, autoRewritePercentage, autoRewriteMinSize, on);
    }
}
