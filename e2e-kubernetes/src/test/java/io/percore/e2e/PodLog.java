package io.percore.e2e;

import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.percore.operator.reconcile.WorkloadRenderer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A pod's log followed from now until closed (a pod deleted meanwhile keeps what it wrote before it went): for the
 * lines a scenario prints beside its figures, so that what the service did in that moment is on record.
 */
final class PodLog implements AutoCloseable {

    /** More than a stop writes; a chattier pod's log beyond it is not kept. */
    private static final int MAX_BYTES = 4 << 20;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream() {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + len <= MAX_BYTES) {
                super.write(b, off, len);
            }
        }
    };
    private final LogWatch watch;

    PodLog(Cluster cluster, String namespace, String pod) {
        // the service's container by name: a pod with an init container has no default one for the log API
        this.watch = cluster.client().pods().inNamespace(namespace).withName(pod).inContainer(WorkloadRenderer.CONTAINER).tailingLines(0)
                .watchLog(out);
    }

    /** The lines so far that match {@code pattern}, each without the log's leading time stamp and thread columns' padding. */
    List<String> lines(Pattern pattern) {
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> pattern.matcher(l).find()).map(l -> l.replaceAll("\\s{2,}", " ")).toList();
    }

    @Override
    public void close() {
        watch.close();
    }
}
