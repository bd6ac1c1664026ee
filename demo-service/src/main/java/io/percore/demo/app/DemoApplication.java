package io.percore.demo.app;

import io.netty.util.ResourceLeakDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The demo service: a Redis-compatible sharded key-value server and a per-core HTTP server. */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    /** Netty's system property for its leak detector's level (and the name it had before 4.1). */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";
    private static final String LEAK_DETECTION_LEGACY = "io.netty.leakDetectionLevel";

    public static void main(String[] args) {
        leakDetectionOffUnlessAsked(System.getProperties());
        SpringApplication.run(DemoApplication.class, args);
    }

    /**
     * The server runs without Netty's leak detector unless a level is given ({@code -Dio.netty.leakDetection.level=simple}),
     * as redis-server has nothing of the kind: at its default level the detector records a stack trace for one buffer in
     * 128, and with a buffer or two per request one at a time that was the largest piece of user-space CPU a request took
     * beside the keyspace (benchmarks/PEERS.md, measurement 40). The tests run every buffer path with it on.
     */
    static void leakDetectionOffUnlessAsked(java.util.Properties system) {
        if (system.getProperty(LEAK_DETECTION) == null && system.getProperty(LEAK_DETECTION_LEGACY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
