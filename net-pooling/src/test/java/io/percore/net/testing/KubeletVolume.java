package io.percore.net.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A directory laid out and updated the way the kubelet writes a mounted Secret or ConfigMap
 * (its {@code AtomicWriter}): the files live in a timestamped directory {@code ..2026_..},
 * {@code ..data} is a symbolic link to it, and each visible file is a link through
 * {@code ..data}. An update writes a new timestamped directory, points a new link
 * {@code ..data_tmp} at it, renames that over {@code ..data} (one atomic step: a reader sees the
 * old files or the new ones, never a mix) and deletes the old directory. The visible files'
 * own links never change, which is what trips watchers that look at them alone.
 */
public final class KubeletVolume {

    private static final AtomicInteger GENERATION = new AtomicInteger();

    private final Path dir;

    private KubeletVolume(Path dir) {
        this.dir = dir;
    }

    /** A volume in {@code dir} (created if missing) holding {@code files} (name to content). */
    public static KubeletVolume create(Path dir, Map<String, byte[]> files) {
        KubeletVolume volume = new KubeletVolume(dir);
        try {
            Files.createDirectories(dir);
            Path data = volume.writeGeneration(files);
            Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
            for (String name : files.keySet()) {
                Files.createSymbolicLink(dir.resolve(name), Path.of("..data").resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return volume;
    }

    public Path dir() {
        return dir;
    }

    /** The visible path of {@code name} (a link through {@code ..data}). */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Replaces the volume's content with {@code files}, as the kubelet does when the Secret or ConfigMap changes. */
    public void update(Map<String, byte[]> files) {
        try {
            Path old = Files.readSymbolicLink(dir.resolve("..data"));
            Path data = writeGeneration(files);
            Path tmp = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, data.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String name : files.keySet()) {
                Path link = dir.resolve(name);
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Path.of("..data").resolve(name));
                }
            }
            deleteTree(dir.resolve(old));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeGeneration(Map<String, byte[]> files) throws IOException {
        Path generation = dir.resolve("..2026_11_24_" + System.nanoTime() + "." + GENERATION.incrementAndGet());
        Files.createDirectory(generation);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(generation.resolve(file.getKey()), file.getValue());
        }
        return generation;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
