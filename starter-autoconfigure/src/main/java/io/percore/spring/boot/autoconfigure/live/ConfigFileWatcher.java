package io.percore.spring.boot.autoconfigure.live;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the content of some files changes. It compares what the files hold (a digest of each,
 * read through any symbolic link), not their dates or events: the kubelet updates a mounted
 * ConfigMap by pointing {@code ..data} at a new directory, so the visible file (a link through
 * {@code ..data}) never changes itself, and an editor may write a file in several steps. File-system
 * events on the files' directories make it look within a moment; without any (some volumes deliver
 * none) it looks every {@code interval}. After an event it waits for a quiet {@value #QUIET_MILLIS}
 * ms so a change written in steps is read once, complete. One daemon thread.
 */
final class ConfigFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);
    static final long QUIET_MILLIS = 200;

    private final List<Path> files;
    private final Duration interval;
    private final Runnable onChange;
    private final Map<Path, byte[]> digests = new LinkedHashMap<>();
    private volatile boolean running = true;
    private WatchService watchService;
    private Thread thread;

    ConfigFileWatcher(List<Path> files, Duration interval, Runnable onChange) {
        this.files = List.copyOf(files);
        this.interval = interval;
        this.onChange = onChange;
    }

    List<Path> files() {
        return files;
    }

    void start() {
        for (Path file : files) {
            digests.put(file, digest(file));
        }
        try {
            watchService = FileSystems.getDefault().newWatchService();
            Set<Path> dirs = new LinkedHashSet<>();
            for (Path file : files) {
                dirs.add(file.toAbsolutePath().getParent());
            }
            for (Path dir : dirs) {
                dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("Configuration files {} are read every {} (no file-system events here: {})", files, interval, e.getMessage());
            watchService = null;
        }
        thread = new Thread(this::run, "percore-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                if (awaitEvent()) {
                    Thread.sleep(QUIET_MILLIS);
                    drainEvents();
                }
                if (changed()) {
                    onChange.run();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Checking the configuration files {} failed", files, e);
            }
        }
    }

    /** Waits for an event in a watched directory, at most the interval; false when none came. */
    private boolean awaitEvent() throws InterruptedException {
        if (watchService == null) {
            Thread.sleep(interval.toMillis());
            return false;
        }
        WatchKey key = watchService.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
        if (key == null) {
            return false;
        }
        key.pollEvents();
        key.reset();
        return true;
    }

    private void drainEvents() {
        if (watchService == null) {
            return;
        }
        for (WatchKey key; (key = watchService.poll()) != null; ) {
            key.pollEvents();
            key.reset();
        }
    }

    /** Whether any file's content differs from the last look (the new digests are kept). */
    private boolean changed() {
        boolean changed = false;
        for (Path file : files) {
            byte[] now = digest(file);
            if (!Arrays.equals(now, digests.get(file))) {
                digests.put(file, now);
                changed = true;
            }
        }
        return changed;
    }

    /** SHA-256 of the file's bytes; empty for a file that is not there (a change when it comes back). */
    static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            LOG.warn("Cannot read configuration file {}: {}", file, e.getMessage());
            return new byte[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
