package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * operator/examples/tls.yaml: RESP over TLS from the {@code spec.tls} Secret. A renewed certificate (the Secret
 * rewritten, as cert-manager does) reaches new client connections with no pod restarted; a changed {@code spec.config}
 * value that changes live reaches the pod with no roll. Both ride on the kubelet's refresh of mounted volumes (its sync
 * period, about a minute here), so they are changed together and waited for together.
 */
@ExtendWith(RealNodeExtension.class)
@Order(7)
class TlsAndLiveConfigIT {

    static final String NAME = "kv-tls";
    /** The kubelet's volume refresh: its sync period (1 min) plus its cache; with room for a loaded machine. */
    static final Duration VOLUME_REFRESH_WITHIN = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    @TempDir
    Path dir;

    @Test
    void aRenewedCertificateAndALiveSettingReachThePodWithNoRestart(Cluster cluster) throws Exception {
        try (var ns = cluster.namespace("e2e-tls")) {
            Certificates pki = new Certificates(dir);
            // the Service's address is not known before it exists: the client checks the chain, not the name
            cluster.client().secrets().inNamespace(ns.name()).resource(tlsSecret(pki.issue("first"), pki)).create();
            cluster.create(ns.name(), Cluster.example("tls.yaml"));
            cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            String password = cluster.password(ns.name(), NAME + "-auth");
            var service = cluster.client().services().inNamespace(ns.name()).withName(NAME).get();
            // Ready is the pods' word; kube-proxy programs the new Service's rules a moment later (refused until then)
            X509Certificate first = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> handshake(service.getSpec().getClusterIP(), 6381, pki, password), c -> c != null);
            assertThat(first.getSubjectX500Principal().getName()).contains("CN=first");

            Pod pod = cluster.pods(ns.name(), NAME).get(0);
            String hashBefore = cluster.client().apps().deployments().inNamespace(ns.name()).withName(NAME).get()
                    .getSpec().getTemplate().getMetadata().getAnnotations().get("percore.io/config-hash");

            long changed = System.nanoTime();
            java.time.Instant changedAt = java.time.Instant.now();
            Certificates.Issued renewed = pki.issue("renewed");
            cluster.client().secrets().inNamespace(ns.name()).resource(tlsSecret(renewed, pki)).update();
            cluster.patchSpec(ns.name(), NAME, "{\"config\":{\"engine\":{\"stall-threshold\":\"40ms\"}}}");

            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.client().configMaps().inNamespace(ns.name())
                    .withName(NAME + "-config").get().getData().get("application.yml").contains("40ms"));
            Explained wait = new Explained(cluster, ns.name(), changedAt);
            wait.until("the renewed certificate served through the Service", () -> handshake(service.getSpec().getClusterIP(), 6381,
                    pki, password).getSerialNumber(), renewed.serial()::equals);
            long certificateSeconds = RealNode.seconds(changed);
            // the pod as it is now: its address, and whether it is still the one the change was made to
            JsonNode reload = wait.until("the live setting applied in pod " + pod.getMetadata().getName(),
                    () -> percoreEndpoint(cluster.client().pods().inNamespace(ns.name()).withName(pod.getMetadata().getName()).get())
                            .path("configReload").path("lastChange"),
                    c -> c.path("applied").toString().contains("stall-threshold"));
            Progress.say("renewed certificate served %d s and live setting applied %d s after the change (%s)", certificateSeconds,
                    RealNode.seconds(changed), reload);
            assertThat(reload.path("outcome").asText()).isEqualTo("applied");

            List<Pod> now = cluster.pods(ns.name(), NAME);
            assertThat(now).singleElement().satisfies(p -> {
                assertThat(p.getMetadata().getUid()).as("the same pod: nothing rolled").isEqualTo(pod.getMetadata().getUid());
                assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).as("no restart").isZero();
            });
            assertThat(cluster.client().apps().deployments().inNamespace(ns.name()).withName(NAME).get()
                    .getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("percore.io/config-hash", hashBefore);
            assertThat(cluster.events(ns.name(), NAME)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ConfigChangedLive"));
        }
    }

    /**
     * A wait for the kubelet's refresh that says, when it times out, what it last saw and what the pods and the namespace's
     * events were: a pod replaced or restarted meanwhile fails here with its reason, not as a bare timeout.
     */
    private record Explained(Cluster cluster, String namespace, java.time.Instant since) {
        <T> T until(String what, java.util.concurrent.Callable<T> probe, java.util.function.Predicate<T> done) {
            var last = new java.util.concurrent.atomic.AtomicReference<Object>("nothing yet");
            try {
                return await().atMost(VOLUME_REFRESH_WITHIN).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    try {
                        T seen = probe.call();
                        last.set(seen);
                        return seen;
                    } catch (Exception e) {
                        last.set(e);
                        return null;
                    }
                }, seen -> seen != null && done.test(seen));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(what + ": not within " + VOLUME_REFRESH_WITHIN.toSeconds() + " s; last seen: " + last.get()
                        + "; " + cluster.podStates(namespace, NAME) + "; "
                        + cluster.timeline(namespace, since, java.time.Instant.now()), e);
            }
        }
    }

    private static io.fabric8.kubernetes.api.model.Secret tlsSecret(Certificates.Issued issued, Certificates pki) {
        return new SecretBuilder().withNewMetadata().withName(NAME + "-cert").endMetadata().withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(issued.certificate())).addToData("tls.key", base64(issued.key()))
                .addToData("ca.crt", base64(pki.caCertificate())).build();
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    /** A TLS handshake that trusts the test's CA (the chain, not the name), then AUTH and PING: the server's certificate. */
    static X509Certificate handshake(String host, int port, Certificates pki, String password) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pki.caCertificate().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            OutputStream out = socket.getOutputStream();
            out.write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte["+OK\r\n+PONG\r\n".length()];
            int n = 0;
            while (n < reply.length) {
                int r = in.read(reply, n, reply.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            assertThat(new String(reply, 0, n, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n+PONG\r\n");
            return served;
        }
    }

    /** @param pod null when it is gone */
    private static JsonNode percoreEndpoint(Pod pod) throws IOException, InterruptedException {
        if (pod == null) {
            throw new IllegalStateException("the pod is gone");
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + pod.getStatus().getPodIP()
                + ":8081/actuator/percore")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return Serialization.jsonMapper().readTree(response.body());
    }

    /** A CA and the server certificates it issues, made with openssl. */
    static final class Certificates {
        record Issued(String certificate, String key, BigInteger serial) {
        }

        private final Path dir;
        private int issued;

        Certificates(Path dir) {
            this.dir = dir;
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                    "-out", "ca.crt", "-days", "2", "-subj", "/CN=percore-e2e-ca");
        }

        String caCertificate() {
            return read("ca.crt");
        }

        Issued issue(String commonName) {
            String name = "server-" + issued++;
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                    "-out", name + ".csr", "-subj", "/CN=" + commonName);
            openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
                    Integer.toString(1000 + issued), "-days", "2", "-out", name + ".crt");
            return new Issued(read(name + ".crt"), read(name + ".key"), BigInteger.valueOf(1000 + issued));
        }

        private void openssl(String... args) {
            List<String> command = new java.util.ArrayList<>(List.of("openssl"));
            command.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + ": " + out);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private String read(String file) {
            try {
                return Files.readString(dir.resolve(file));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
