package io.percore.demo.app;

import io.percore.demo.persistence.AofSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.persistence.SaveRules;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.util.unit.DataSize;

/**
 * Where the keyspace is saved and loaded from (Redis's names): a snapshot file in Redis 7.0's RDB
 * format, loaded at start when it is there, written by SAVE, BGSAVE, the save rules and at
 * shutdown when save rules are set.
 */
public class DemoPersistenceProperties {

    /** What is kept on disk: a Kubernetes operator sets it through {@code PERCORE_PERSISTENCE} (application.yml). */
    public enum Mode {
        /** Nothing unless asked (SAVE, BGSAVE, save rules set here). */
        NONE,
        /** Snapshots: Redis's default save rules unless {@code save} is set, and a final one at shutdown. */
        SNAPSHOT,
        /**
         * The append-only file (Redis 7's multi-part layout in {@code appenddirname}): every write logged and
         * forced to the disk as {@code appendfsync} says; no snapshots unless {@code save} is set.
         */
        AOF
    }

    /** The data directory (Redis's dir); created when missing, must be writable. The operator sets {@code PERCORE_DATA_DIR}. */
    @NotNull
    private String dir = ".";
    @NotNull
    private Mode mode = Mode.NONE;
    /** The snapshot's file name in the data directory (Redis's dbfilename). */
    @NotNull
    private String dbfilename = "dump.rdb";
    /**
     * Redis's save rules, "<seconds> <changes> ..."; empty: no automatic snapshots and no final save at
     * shutdown. Unset: none with mode none, Redis's "3600 1 300 100 60 10000" with mode snapshot.
     */
    private String save;
    /** Refuse writes with -MISCONF while the last background save failed (Redis's stop-writes-on-bgsave-error). */
    private boolean stopWritesOnBgsaveError = true;
    /** How long the final save at shutdown may take; the pod's termination grace period must be longer. */
    @DurationMin(seconds = 1)
    @DurationMax(hours = 24)
    @NotNull
    private Duration finalSaveTimeout = PersistenceSettings.DEFAULT_FINAL_SAVE_TIMEOUT;
    /** With mode aof: when the log is forced to the disk, always, everysec or no (Redis's appendfsync). */
    @NotNull
    private String appendfsync = "everysec";
    /** With mode aof: the directory under dir holding the log's files (Redis's appenddirname). */
    @NotNull
    private String appenddirname = AofSettings.DEFAULT_DIRNAME;
    /** With mode aof: the prefix of the log's file names (Redis's appendfilename). */
    @NotNull
    private String appendfilename = AofSettings.DEFAULT_FILENAME;
    /** Growth in percent over the size after the last rewrite that rewrites the log on its own; 0 never (Redis's auto-aof-rewrite-percentage). */
    private int autoAofRewritePercentage = 100;
    /** No automatic rewrite of a log smaller than this (Redis's auto-aof-rewrite-min-size). */
    @NotNull
    private DataSize autoAofRewriteMinSize = DataSize.ofBytes(AofSettings.DEFAULT_MIN_SIZE);
    /**
     * A last command torn by a crash (cut short, or cut short then zeros) is dropped (and the file cut there) instead of
     * stopping the start (Redis's aof-load-truncated).
     */
    private boolean aofLoadTruncated = true;

    /**
     * Where the files are and what the mode makes of them; the CONFIG table puts the rest in (save,
     * appendfsync, the rewrite's thresholds ...), read from the keys above.
     */
    PersistenceSettings fixedSettings() {
        AofSettings aof = new AofSettings(mode == Mode.AOF, AofSettings.Fsync.EVERYSEC, appenddirname, appendfilename, 100,
                AofSettings.DEFAULT_MIN_SIZE, true);
        return new PersistenceSettings(java.nio.file.Path.of(dir), dbfilename, defaultSaveRules(), true, finalSaveTimeout, aof);
    }

    /** The save rules when {@code save} is unset: Redis's with mode snapshot, none otherwise. */
    SaveRules defaultSaveRules() {
        return mode == Mode.SNAPSHOT ? SaveRules.REDIS_DEFAULT : SaveRules.NONE;
    }

    public String getAppendfsync() {
        return appendfsync;
    }

    public void setAppendfsync(String appendfsync) {
        this.appendfsync = appendfsync;
    }

    public String getAppenddirname() {
        return appenddirname;
    }

    public void setAppenddirname(String appenddirname) {
        new AofSettings(false, AofSettings.Fsync.EVERYSEC, appenddirname, AofSettings.DEFAULT_FILENAME, 100, 0, true);
        this.appenddirname = appenddirname;
    }

    public String getAppendfilename() {
        return appendfilename;
    }

    public void setAppendfilename(String appendfilename) {
        new AofSettings(false, AofSettings.Fsync.EVERYSEC, AofSettings.DEFAULT_DIRNAME, appendfilename, 100, 0, true);
        this.appendfilename = appendfilename;
    }

    public int getAutoAofRewritePercentage() {
        return autoAofRewritePercentage;
    }

    public void setAutoAofRewritePercentage(int autoAofRewritePercentage) {
        this.autoAofRewritePercentage = autoAofRewritePercentage;
    }

    public DataSize getAutoAofRewriteMinSize() {
        return autoAofRewriteMinSize;
    }

    public void setAutoAofRewriteMinSize(DataSize autoAofRewriteMinSize) {
        this.autoAofRewriteMinSize = autoAofRewriteMinSize;
    }

    public boolean isAofLoadTruncated() {
        return aofLoadTruncated;
    }

    public void setAofLoadTruncated(boolean aofLoadTruncated) {
        this.aofLoadTruncated = aofLoadTruncated;
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public String getDir() {
        return dir;
    }

    public void setDir(String dir) {
        this.dir = dir;
    }

    public String getDbfilename() {
        return dbfilename;
    }

    /** @throws IllegalArgumentException for a path instead of a file name */
    public void setDbfilename(String dbfilename) {
        new PersistenceSettings(java.nio.file.Path.of("."), dbfilename, SaveRules.NONE, true, finalSaveTimeout);
        this.dbfilename = dbfilename;
    }

    public String getSave() {
        return save;
    }

    public void setSave(String save) {
        this.save = save;
    }

    public boolean isStopWritesOnBgsaveError() {
        return stopWritesOnBgsaveError;
    }

    public void setStopWritesOnBgsaveError(boolean stopWritesOnBgsaveError) {
        this.stopWritesOnBgsaveError = stopWritesOnBgsaveError;
    }

    public Duration getFinalSaveTimeout() {
        return finalSaveTimeout;
    }

    public void setFinalSaveTimeout(Duration finalSaveTimeout) {
        this.finalSaveTimeout = finalSaveTimeout;
    }
}
