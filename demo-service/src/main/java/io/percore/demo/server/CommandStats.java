package io.percore.demo.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One shard's INFO commandstats and errorstats: per command id (see {@link CommandTable}) its
 * calls, time, rejected and failed calls, in one array, so counting a call is two increments in
 * one cache line and allocates nothing; per error code (the reply's first word, as Redis's
 * {@code afterErrorReply}) a count. Read and written on its shard only; INFO merges the shards'
 * {@link #snapshot() snapshots}.
 */
public final class CommandStats {

    private static final int CALLS = 0;
    private static final int NANOS = 1;
    private static final int REJECTED = 2;
    private static final int FAILED = 3;
    private static final int STRIDE = 4;
    /** Distinct error codes counted separately; the error texts are the server's own, so this is a safety net. */
    static final int MAX_ERROR_CODES = 128;

    private final long[] figures;
    private final List<String> errorCodes = new ArrayList<>();
    private long[] errorCounts = new long[8];
    private long errorReplies;

    public CommandStats(int commands) {
        this.figures = new long[commands * STRIDE];
    }

    /** Command {@code id} ran, taking {@code nanos}. */
    public void called(int id, long nanos) {
        int i = id * STRIDE;
        figures[i + CALLS]++;
        figures[i + NANOS] += nanos;
    }

    /** Command {@code id} was refused before it ran (arity, authentication, ...). */
    public void rejected(int id) {
        figures[id * STRIDE + REJECTED]++;
    }

    /** Command {@code id} ran and replied with an error. */
    public void failed(int id) {
        figures[id * STRIDE + FAILED]++;
    }

    /** An error reply: counted by its code, the text up to the first space (within 32 characters), else ERR. */
    public void error(String text) {
        errorReplies++;
        int space = text.indexOf(' ');
        int end = space > 0 && space < 31 ? space : -1;
        int code = -1;
        for (int i = 0; i < errorCodes.size(); i++) {
            String known = errorCodes.get(i);
            if (end < 0 ? known.equals("ERR") : known.length() == end && text.startsWith(known)) {
                code = i;
                break;
            }
        }
        if (code < 0) {
            if (errorCodes.size() >= MAX_ERROR_CODES) {
                return;
            }
            code = errorCodes.size();
            errorCodes.add(end < 0 ? "ERR" : text.substring(0, end));
            if (code == errorCounts.length) {
                errorCounts = Arrays.copyOf(errorCounts, code * 2);
            }
        }
        errorCounts[code]++;
    }

    /** CONFIG RESETSTAT. */
    public void reset() {
        Arrays.fill(figures, 0);
        errorCodes.clear();
        Arrays.fill(errorCounts, 0);
        errorReplies = 0;
    }

    /** A copy to hand to another shard. */
    public Snapshot snapshot() {
        List<String> codes = List.copyOf(errorCodes);
        return new Snapshot(figures.clone(), codes, Arrays.copyOf(errorCounts, codes.size()), errorReplies);
    }

    /** A shard's figures; {@link #plus} adds another shard's. */
    public record Snapshot(long[] figures, List<String> errorCodes, long[] errorCounts, long errorReplies) {

        public Snapshot plus(Snapshot other) {
            if (other == null) {
                return this;
            }
            long[] sum = figures.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += other.figures[i];
            }
            List<String> codes = new ArrayList<>(errorCodes);
            long[] counts = Arrays.copyOf(errorCounts, errorCodes.size() + other.errorCodes.size());
            for (int i = 0; i < other.errorCodes.size(); i++) {
                int at = codes.indexOf(other.errorCodes.get(i));
                if (at < 0) {
                    at = codes.size();
                    codes.add(other.errorCodes.get(i));
                }
                counts[at] += other.errorCounts[i];
            }
            return new Snapshot(sum, codes, Arrays.copyOf(counts, codes.size()), errorReplies + other.errorReplies);
        }

        public long calls(int id) {
            return figures[id * STRIDE + CALLS];
        }

        public long micros(int id) {
            return figures[id * STRIDE + NANOS] / 1000;
        }

        public long rejected(int id) {
            return figures[id * STRIDE + REJECTED];
        }

        public long failed(int id) {
            return figures[id * STRIDE + FAILED];
        }
    }
}
