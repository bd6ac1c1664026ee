package io.percore.operator.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * An object written as a stream, in parts of a bounded size (S3's multipart upload): the bytes fill one part in
 * memory while up to {@code partsInFlight} earlier parts are sent, each from its own buffer; a writer that gets
 * ahead waits for a buffer to come back, so the source is read no faster than the store takes it and the memory
 * held is at most {@code (partsInFlight + 1) × partSize}, whatever the object's size. Nothing goes to a disk. An
 * object smaller than one part is one PUT. The object exists only once {@link #complete()} returned (a multipart
 * object appears at its completion); {@link #abort()} leaves nothing, not even the parts sent.
 *
 * <p>The metadata is the object's from the start (S3 takes it at the upload's creation, before any part), so it
 * holds what is known before the first byte; what only the end knows goes into the manifest.
 */
public final class MultipartUpload extends OutputStream {

    private static final Logger LOG = LoggerFactory.getLogger(MultipartUpload.class);
    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;
    /** S3's smallest part but the last. */
    static final int MIN_PART = 5 * 1024 * 1024;

    private final ObjectStore store;
    private final String key;
    private final Map<String, String> metadata;
    private final int partSize;
    private final int partsInFlight;
    private final Deque<byte[]> free = new ArrayDeque<>();
    private int buffers;
    private final List<CompletedPart> done = new ArrayList<>();
    private final AtomicInteger sending = new AtomicInteger();
    private ExecutorService senders;
    private String uploadId;
    private byte[] part;
    private int filled;
    private int parts;
    private long written;
    private BackupException failure;
    private boolean finished;

    MultipartUpload(ObjectStore store, String key, Map<String, String> metadata, int partSize, int partsInFlight) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("a part of " + partSize + " bytes: S3 takes parts of at least " + MIN_PART);
        }
        this.store = store;
        this.key = key;
        this.metadata = Map.copyOf(metadata);
        this.partSize = partSize;
        this.partsInFlight = Math.max(1, partsInFlight);
    }

    /** The bytes written so far. */
    public long written() {
        return written;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (part == null) {
                part = takeBuffer();
                filled = 0;
            }
            int n = Math.min(len, partSize - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            off += n;
            len -= n;
            written += n;
            if (filled == partSize) {
                send(part, filled);
                part = null;
            }
        }
    }

    /** Sends the last part and makes the object; it exists when this returns. */
    public void complete() throws BackupException {
        try {
            if (uploadId == null) {
                byte[] body = part == null ? new byte[0] : part;
                PutObjectRequest.Builder r = PutObjectRequest.builder().bucket(store.settings.bucket()).key(key)
                        .contentType("application/octet-stream").metadata(metadata);
                store.encryption(r);
                try {
                    store.s3.putObject(r.build(), RequestBody.fromContentProvider(() -> new ByteArrayInputStream(body, 0, filled), filled,
                            "application/octet-stream"));
                } catch (SdkException e) {
                    throw store.classify(e, "writing " + store.settings.uri(key));
                }
                finished = true;
                return;
            }
            if (part != null && filled > 0) {
                send(part, filled);
                part = null;
            }
            awaitSent();
            List<CompletedPart> sorted;
            synchronized (this) {
                sorted = new ArrayList<>(done);
            }
            sorted.sort(Comparator.comparingInt(CompletedPart::partNumber));
            try {
                store.s3.completeMultipartUpload(r -> r.bucket(store.settings.bucket()).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(sorted)));
            } catch (SdkException e) {
                throw store.classify(e, "completing the upload of " + store.settings.uri(key));
            }
            finished = true;
        } catch (BackupIOException e) {
            throw e.failure();
        } catch (IOException e) {
            throw new BackupException(Failure.INTERNAL, "completing the upload of " + store.settings.uri(key) + " failed: " + e, e);
        } finally {
            if (!finished) {
                abort();
            }
            shutdown();
        }
    }

    /**
     * Gives the upload up: no object appears, and the parts sent are dropped by the store. Parts still being sent are
     * waited for first (each bounded by the store's timeouts): S3 keeps a part that lands after the abort.
     */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        if (senders != null) {
            senders.shutdown();
            try {
                senders.awaitTermination(store.settings.connectTimeout().plus(store.settings.socketTimeout()).toMillis() * 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (uploadId != null) {
            try {
                store.s3.abortMultipartUpload(r -> r.bucket(store.settings.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException e) {
                // the store drops it later by its lifecycle rule for incomplete uploads, if it has one: say so
                LOG.warn("Could not abort the upload {} of {}: {}", uploadId, store.settings.uri(key), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void send(byte[] buffer, int length) throws IOException {
        if (parts == MAX_PARTS) {
            throw new BackupIOException(Failure.SNAPSHOT_TOO_LARGE, "the snapshot needs more than " + MAX_PARTS + " parts of " + partSize
                    + " bytes, S3's limit: raise the part size", null);
        }
        if (uploadId == null) {
            create();
        }
        int number = ++parts;
        sending.incrementAndGet();
        senders.execute(() -> {
            try {
                String etag = store.s3.uploadPart(r -> r.bucket(store.settings.bucket()).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream")).eTag();
                synchronized (this) {
                    done.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                }
            } catch (SdkException e) {
                synchronized (this) {
                    if (failure == null) {
                        failure = store.classify(e, "sending part " + number + " of " + store.settings.uri(key));
                    }
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    if (failure == null) {
                        failure = new BackupException(Failure.INTERNAL, "sending part " + number + " failed: " + e, e);
                    }
                }
            } finally {
                sending.decrementAndGet();
                synchronized (this) {
                    free.push(buffer);
                    notifyAll();
                }
            }
        });
    }

    private void create() throws IOException {
        CreateMultipartUploadRequest.Builder r = CreateMultipartUploadRequest.builder().bucket(store.settings.bucket()).key(key)
                .contentType("application/octet-stream").metadata(metadata);
        if (store.settings.sse() != null) {
            r.serverSideEncryption(ServerSideEncryption.fromValue(store.settings.sse()));
            if (store.settings.kmsKeyId() != null) {
                r.ssekmsKeyId(store.settings.kmsKeyId());
            }
        }
        try {
            uploadId = store.s3.createMultipartUpload(r.build()).uploadId();
        } catch (SdkException e) {
            throw new BackupIOException(store.classify(e, "starting the upload of " + store.settings.uri(key)));
        }
        senders = Executors.newFixedThreadPool(partsInFlight, runnable -> {
            Thread t = new Thread(runnable, "backup-upload");
            t.setDaemon(true);
            return t;
        });
    }

    /** A free buffer: one more while fewer than {@code partsInFlight + 1} exist, else the next one a sent part gives back. */
    private byte[] takeBuffer() throws IOException {
        synchronized (this) {
            while (true) {
                if (failure != null) {
                    throw new BackupIOException(failure);
                }
                if (!free.isEmpty()) {
                    return free.pop();
                }
                if (buffers <= partsInFlight) {
                    buffers++;
                    return new byte[partSize];
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackupIOException(Failure.INTERNAL, "interrupted while waiting for the store", e);
                }
            }
        }
    }

    private void awaitSent() throws IOException {
        synchronized (this) {
            while (sending.get() > 0 && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackupIOException(Failure.INTERNAL, "interrupted while waiting for the store", e);
                }
            }
            if (failure != null) {
                throw new BackupIOException(failure);
            }
        }
    }

    private void shutdown() {
        if (senders != null) {
            senders.shutdown();
        }
    }
}
