package io.percore.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import java.util.function.Consumer;

/** The Kubernetes client the operator runs with: Fabric8's, writing under the operator's name. */
public final class OperatorClient {

    private OperatorClient() {
    }

    public static KubernetesClient create(Config config) {
        return create(config, b -> { });
    }

    /** @param more further HTTP client settings (tests add a request recorder) */
    public static KubernetesClient create(Config config, Consumer<HttpClient.Builder> more) {
        return new KubernetesClientBuilder().withConfig(config).withHttpClientBuilderConsumer(b -> {
            b.addOrReplaceInterceptor(FieldManagerInterceptor.NAME, new FieldManagerInterceptor());
            more.accept(b);
        }).build();
    }
}
