package io.percore.operator;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.percore.operator.reconcile.ChildApplier;
import java.net.URI;
import java.util.Set;

/**
 * Names the operator as the field manager of every write it makes. Fabric8 sends
 * {@code fieldManager} only on patches; on a create or update the API server would otherwise
 * record the client's user agent ({@code fabric8-kubernetes-client}) as the manager.
 */
public final class FieldManagerInterceptor implements Interceptor {

    public static final String NAME = "percore-field-manager";

    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH");

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        URI uri = request.uri();
        if (!WRITES.contains(request.method()) || (uri.getRawQuery() != null && uri.getRawQuery().contains("fieldManager="))) {
            return;
        }
        String param = "fieldManager=" + ChildApplier.FIELD_MANAGER;
        String query = uri.getRawQuery() == null ? param : uri.getRawQuery() + "&" + param;
        builder.uri(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + "?" + query));
    }
}
