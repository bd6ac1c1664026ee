package io.percore.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Config;
import io.percore.operator.config.SchemaConfigCheck;
import java.util.concurrent.CountDownLatch;

/** Entry point of the operator image. Configuration: see {@link OperatorSettings}. */
public final class OperatorMain {

    private OperatorMain() {
    }

    public static void main(String[] args) throws Exception {
        OperatorSettings settings;
        try {
            settings = OperatorSettings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("percore-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = OperatorClient.create(Config.autoConfigure(null));
        PercoreOperator operator = PercoreOperator.start(settings, client, new SchemaConfigCheck());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            operator.close();
            client.close();
            stopped.countDown();
        }, "percore-operator-shutdown"));
        stopped.await();
    }
}
