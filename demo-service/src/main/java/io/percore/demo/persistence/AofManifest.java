package io.percore.demo.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of a Redis 7 multi-part append-only file ({@code aof.c}'s aofManifest): which files
 * make the log, in order: at most one base (a snapshot, {@code <name>.<seq>.base.rdb}) and the
 * incremental files after it ({@code <name>.<seq>.incr.aof}, RESP commands), each line
 * {@code file <name> seq <n> type b|i|h}. Immutable; a change writes a new manifest under a
 * temporary name, fsyncs it and renames it over the old one ({@link #write}), so a crash leaves
 * either manifest, never half of one.
 */
record AofManifest(AofFile base, List<AofFile> incrs, List<AofFile> history) {

    /** What a file is in the log. */
    enum Type {
        BASE('b'), INCR('i'), HISTORY('h');

        final char code;

        Type(char code) {
            this.code = code;
        }
    }

    /** One file of the log. */
    record AofFile(String name, long seq, Type type) {
    }

    /** Redis's limit on a manifest line. */
    private static final int MAX_LINE = 1024;

    AofManifest {
        incrs = List.copyOf(incrs);
        history = List.copyOf(history);
    }

    static final AofManifest EMPTY = new AofManifest(null, List.of(), List.of());

    static String manifestName(String filename) {
        return filename + ".manifest";
    }

    /**
     * Reads a manifest as Redis 7.0 does: blank lines and {@code #} comments skipped, every other line
     * {@code file <name> seq <n> type <b|i|h>} in any order of its pairs.
     *
     * @throws IOException naming the file, the line and what is wrong with it
     */
    static AofManifest read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        AofFile base = null;
        List<AofFile> incrs = new ArrayList<>();
        List<AofFile> history = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw bad(file, lines.length, "the last line does not end with a newline");
        }
        long lastIncr = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.length() > MAX_LINE) {
                throw bad(file, i + 1, "longer than " + MAX_LINE + " characters");
            }
            String[] words = line.split("\\s+");
            if (words.length % 2 != 0) {
                throw bad(file, i + 1, "not pairs of a key and a value");
            }
            String name = null;
            Long seq = null;
            Type type = null;
            for (int w = 0; w < words.length; w += 2) {
                String value = words[w + 1];
                switch (words[w]) {
                    case "file" -> name = value;
                    case "seq" -> {
                        try {
                            seq = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw bad(file, i + 1, "seq is not a number: " + value);
                        }
                    }
                    case "type" -> type = switch (value) {
                        case "b" -> Type.BASE;
                        case "i" -> Type.INCR;
                        case "h" -> Type.HISTORY;
                        default -> throw bad(file, i + 1, "unknown type " + value);
                    };
                    default -> { } // a later version's key: ignored, as Redis does
                }
            }
            if (name == null || seq == null || type == null || seq <= 0 || name.contains("/")) {
                throw bad(file, i + 1, "needs a file name (not a path), a positive seq and a type");
            }
            AofFile f = new AofFile(name, seq, type);
            switch (type) {
                case BASE -> {
                    if (base != null) {
                        throw bad(file, i + 1, "a second base file");
                    }
                    base = f;
                }
                case INCR -> {
                    if (seq <= lastIncr) {
                        throw bad(file, i + 1, "incremental files out of order (seq " + seq + " after " + lastIncr + ")");
                    }
                    lastIncr = seq;
                    incrs.add(f);
                }
                case HISTORY -> history.add(f);
            }
        }
        return new AofManifest(base, incrs, history);
    }

    private static IOException bad(Path file, int line, String why) {
        return new IOException("Invalid AOF manifest " + file.toAbsolutePath() + " at line " + line + ": " + why);
    }

    /** The manifest's text, Redis's order: the base, the history, the incremental files. */
    String text() {
        StringBuilder b = new StringBuilder();
        if (base != null) {
            line(b, base);
        }
        history.forEach(f -> line(b, f));
        incrs.forEach(f -> line(b, f));
        return b.toString();
    }

    private static void line(StringBuilder b, AofFile f) {
        b.append("file ").append(f.name()).append(" seq ").append(f.seq()).append(" type ").append(f.type().code).append('\n');
    }

    /** Writes this manifest as {@code dir/<filename>.manifest}: a temporary file, fsynced, renamed over it, the directory fsynced. */
    void write(Path dir, String filename) throws IOException {
        Path target = dir.resolve(manifestName(filename));
        Path temp = dir.resolve("temp-" + manifestName(filename));
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(dir);
    }

    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened for fsync; the rename stands either way
        }
    }

    /** The last incremental file, the one appended to; null when there is none. */
    AofFile lastIncr() {
        return incrs.isEmpty() ? null : incrs.get(incrs.size() - 1);
    }

    /** This manifest with a new incremental file after the others (a rewrite began: later writes go there). */
    AofManifest withNewIncr(String filename) {
        long seq = incrs.isEmpty() ? 1 : lastIncr().seq() + 1;
        List<AofFile> more = new ArrayList<>(incrs);
        more.add(new AofFile(filename + "." + seq + ".incr.aof", seq, Type.INCR));
        return new AofManifest(base, more, history);
    }

    /** The next base file's name and seq (a rewrite's target). */
    AofFile nextBase(String filename) {
        long seq = base == null ? 1 : base.seq() + 1;
        return new AofFile(filename + "." + seq + ".base.rdb", seq, Type.BASE);
    }

    /**
     * After a rewrite whose snapshot is {@code newBase}, taken when {@code firstIncrAfter} was opened:
     * the new base and the incremental files from that one on; the others become history (deleted).
     */
    AofManifest rewritten(AofFile newBase, long firstIncrAfter) {
        List<AofFile> kept = new ArrayList<>();
        List<AofFile> old = new ArrayList<>(history);
        if (base != null) {
            old.add(new AofFile(base.name(), base.seq(), Type.HISTORY));
        }
        for (AofFile f : incrs) {
            if (f.seq() >= firstIncrAfter) {
                kept.add(f);
            } else {
                old.add(new AofFile(f.name(), f.seq(), Type.HISTORY));
            }
        }
        return new AofManifest(newBase, kept, old);
    }

    /** This manifest without its history (the files were deleted). */
    AofManifest withoutHistory() {
        return new AofManifest(base, incrs, List.of());
    }
}
