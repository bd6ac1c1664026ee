package io.percore.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Every API request the operator's own client makes during the mock-server suite, as the RBAC
 * permission it needs: {@code <mode> <scope> <verb> <group>/<resource>[/<subresource>] [<name>]}.
 * mode: {@code all-namespaces} or {@code listed-namespaces} (how the operator ran); scope:
 * {@code cluster} (cluster-scoped object or all namespaces), {@code watched} (a watched namespace),
 * {@code lease} (the Lease namespace, with the object name, as the chart limits those rules by name),
 * {@code discovery} (API discovery, open to every authenticated user: no RBAC rule needed).
 * A write whose body carries an owner reference with {@code blockOwnerDeletion: true} also needs
 * {@code update} on the owner's {@code finalizers} subresource (the OwnerReferencesPermissionEnforcement
 * admission plugin checks it; the mock server does not), so that is recorded too.
 *
 * <p>Each test class writes its record to {@code target/api-requests/<class>.txt}; the Helm
 * chart's {@code RbacTest} derives the rules from those files.
 */
public final class ApiRequestRecord implements Interceptor {

    public static final Path DIR = Path.of(System.getProperty("percore.api-requests.dir", "target/api-requests"));

    private final String mode;
    private final String leaseNamespace;
    private final Set<String> lines = new ConcurrentSkipListSet<>();
    private final List<URI> writes = java.util.Collections.synchronizedList(new ArrayList<>());

    public ApiRequestRecord(boolean allNamespaces, String leaseNamespace) {
        this.mode = allNamespaces ? "all-namespaces" : "listed-namespaces";
        this.leaseNamespace = leaseNamespace;
    }

    /** A client for the operator under test: the operator's own client settings plus this record. */
    public KubernetesClient client(Config config) {
        return OperatorClient.create(config, b -> b.addOrReplaceInterceptor("api-request-record", this));
    }

    /** Marks the operator's requests for the mock server's log (the test's own client shares the server). */
    public static final String MARKER_HEADER = "X-Percore-Operator-Under-Test";

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        builder.header(MARKER_HEADER, "true");
        record(request.method(), request.uri(), request.bodyString());
        URI uri = request.uri();
        if (uri.getRawPath().endsWith("/status") && uri.getRawQuery() != null) {
            // The mock server tells a status write by the path ending in /status, query included;
            // a real API server does not. Recorded above as sent; the mock gets it without the query.
            builder.uri(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath()));
        }
    }

    void record(String method, URI uri, String body) {
        List<String> segments = new ArrayList<>(Arrays.asList(uri.getRawPath().replaceFirst("^/", "").split("/")));
        String group;
        if ("api".equals(segments.get(0))) {
            group = "";
            segments = segments.subList(Math.min(2, segments.size()), segments.size());
        } else {
            group = segments.size() > 1 ? segments.get(1) : "";
            segments = segments.subList(Math.min(3, segments.size()), segments.size());
        }
        if (segments.isEmpty() || segments.get(0).isEmpty()) {
            // API discovery (/api, /apis/<group>/<version>): open to every authenticated user (system:discovery).
            lines.add(mode + " discovery " + method.toLowerCase(java.util.Locale.ROOT) + " " + uri.getRawPath());
            return;
        }
        String namespace = null;
        if (segments.size() >= 3 && "namespaces".equals(segments.get(0))) {
            namespace = segments.get(1);
            segments = segments.subList(2, segments.size());
        }
        String resource = segments.get(0);
        String name = segments.size() > 1 ? segments.get(1) : null;
        String sub = segments.size() > 2 ? "/" + segments.get(2) : "";
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        String verb = switch (method) {
            case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException(method);
        };
        String scope = namespace == null ? "cluster" : namespace.equals(leaseNamespace) ? "lease" : "watched";
        String suffix = "lease".equals(scope) && name != null ? " " + name : "";
        lines.add(mode + " " + scope + " " + verb + " " + group + "/" + resource + sub + suffix);
        if (!"GET".equals(method) && !"DELETE".equals(method)) {
            writes.add(uri);
            impliedByOwnerReferences(scope, body);
        }
    }

    private void impliedByOwnerReferences(String scope, String body) {
        if (body == null || !body.contains("blockOwnerDeletion")) {
            return;
        }
        JsonNode refs = Serialization.unmarshal(body, JsonNode.class).path("metadata").path("ownerReferences");
        for (JsonNode ref : refs) {
            if (ref.path("blockOwnerDeletion").asBoolean()) {
                String apiVersion = ref.path("apiVersion").asText();
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String plural = ref.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s";
                lines.add(mode + " " + scope + " update " + group + "/" + plural + "/finalizers");
            }
        }
    }

    public Set<String> lines() {
        return Set.copyOf(lines);
    }

    /** URIs of every create/update/patch the operator sent (with their query: fieldManager). */
    public List<URI> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /** Adds this record to the test class's file (several operators may run in one class). */
    public void saveAs(Class<?> testClass) {
        try {
            Files.createDirectories(DIR);
            Path file = DIR.resolve(testClass.getSimpleName() + ".txt");
            Set<String> all = new java.util.TreeSet<>(lines);
            if (Files.exists(file)) {
                all.addAll(Files.readAllLines(file));
            }
            Files.write(file, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a test class's earlier record, so a file never mixes two runs. */
    public static void reset(Class<?> testClass) {
        try {
            Files.deleteIfExists(DIR.resolve(testClass.getSimpleName() + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
