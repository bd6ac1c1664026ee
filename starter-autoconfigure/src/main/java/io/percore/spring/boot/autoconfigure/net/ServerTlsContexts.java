package io.percore.spring.boot.autoconfigure.net;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.percore.config.ServerConfig;
import io.percore.config.ServerSslConfig;
import io.percore.config.schema.ConfigError;
import io.percore.net.server.ServerTls;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The TLS context of every server of {@code percore.servers} that names an SSL bundle
 * ({@code ssl.bundle}), made once per server when the application starts, before any server
 * listens: an unknown bundle, an expired certificate or a key that is not the certificate's stops
 * the start with the failure report, naming the server's key and the bundle.
 *
 * <p>With the bundle's {@code reload-on-update}, Spring Boot re-reads its files when they change
 * (cert-manager renewing a mounted Secret) and this class makes the server's new context; new
 * connections get it, open ones keep theirs. A reloaded bundle that fails the same checks is not
 * taken: the server keeps its certificate and the log says why, once per reload.
 */
public final class ServerTlsContexts {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTlsContexts.class);

    private final Map<String, ServerTls> byServer;

    /** No TLS for any server. */
    public static ServerTlsContexts none() {
        return new ServerTlsContexts(Map.of());
    }

    private ServerTlsContexts(Map<String, ServerTls> byServer) {
        this.byServer = Map.copyOf(byServer);
    }

    /**
     * Makes the contexts of {@code servers} from {@code bundles} (null when the application has no
     * Spring Boot SSL support) and follows the bundles' reloads.
     *
     * @param origins where each {@code percore.*} property was set, for the failure report
     * @throws InvalidPercoreConfigurationException listing every server whose bundle is missing or unfit
     */
    public static ServerTlsContexts of(Map<String, ServerConfig> servers, SslBundles bundles, Map<String, String> origins) {
        return of(servers, bundles, origins, List.of());
    }

    /**
     * As {@link #of(Map, SslBundles, Map)}, with what some servers' protocols need of their contexts
     * (gRPC's ALPN h2), at start and at each reload.
     */
    public static ServerTlsContexts of(Map<String, ServerConfig> servers, SslBundles bundles, Map<String, String> origins,
                                       List<ServerSslContextCustomizer> customizers) {
        Map<String, ServerTls> made = new LinkedHashMap<>();
        List<ConfigError> errors = new ArrayList<>();
        servers.forEach((name, config) -> {
            ServerSslConfig ssl = config.getSsl();
            if (ssl.getBundle() == null) {
                return;
            }
            String key = "percore.servers." + name + ".ssl.bundle";
            if (bundles == null) {
                errors.add(new ConfigError(key, ssl.getBundle(), "ssl-bundle", key + ": SSL bundle '" + ssl.getBundle()
                        + "' cannot be looked up: the application has no SslBundles bean (Spring Boot's SslAutoConfiguration) (ssl-bundle)", null));
                return;
            }
            Consumer<SslContextBuilder> protocol = builder -> customizers.stream().filter(c -> c.server().equals(name))
                    .forEach(c -> c.customize(builder));
            try {
                SslBundle bundle = bundles.getBundle(ssl.getBundle());
                ServerTls tls = ServerTls.of(BundleSslContexts.serverContext(ssl.getBundle(), bundle, ssl.getClientAuth(), protocol));
                followReloads(name, ssl, bundles, tls, protocol);
                made.put(name, tls);
                LOG.info("Server '{}': TLS from SSL bundle '{}' ({}), {}", name, ssl.getBundle(), describe(bundle, ssl.getBundle()), engine());
            } catch (NoSuchSslBundleException e) {
                errors.add(new ConfigError(key, ssl.getBundle(), "ssl-bundle", key + ": there is no SSL bundle '" + ssl.getBundle()
                        + "' (configured: " + (bundles.getBundleNames().isEmpty() ? "none" : String.join(", ", bundles.getBundleNames()))
                        + ") (ssl-bundle)", "define spring.ssl.bundle.pem." + ssl.getBundle() + " (or .jks." + ssl.getBundle() + ")"));
            } catch (BundleSslContexts.BundleProblem p) {
                errors.add(new ConfigError(key, ssl.getBundle(), p.rule(), key + ": " + p.getMessage() + " (" + p.rule() + ")", null));
            } catch (RuntimeException e) {
                // A bundle whose files cannot be read fails in Spring Boot's loading, as an IllegalStateException.
                errors.add(new ConfigError(key, ssl.getBundle(), "ssl-bundle", key + ": SSL bundle '" + ssl.getBundle()
                        + "' cannot be loaded: " + e.getMessage() + " (ssl-bundle)", null));
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidPercoreConfigurationException(errors, origins);
        }
        return new ServerTlsContexts(made);
    }

    /** The TLS context of server {@code name}, when it has TLS. */
    public Optional<ServerTls> forServer(String name) {
        return Optional.ofNullable(byServer.get(name));
    }

    private static void followReloads(String server, ServerSslConfig ssl, SslBundles bundles, ServerTls tls, Consumer<SslContextBuilder> protocol) {
        bundles.addBundleUpdateHandler(ssl.getBundle(), updated -> {
            try {
                SslContext next = BundleSslContexts.serverContext(ssl.getBundle(), updated, ssl.getClientAuth(), protocol);
                tls.replace(next);
                LOG.info("Server '{}': SSL bundle '{}' reloaded, new connections get {}", server, ssl.getBundle(), describe(updated, ssl.getBundle()));
            } catch (BundleSslContexts.BundleProblem | RuntimeException e) {
                LOG.error("Server '{}' keeps its TLS certificate: the reloaded SSL bundle '{}' is refused: {}", server, ssl.getBundle(), e.getMessage());
            }
        });
    }

    private static String describe(SslBundle bundle, String name) {
        try {
            BundleSslContexts.ServerKey key = BundleSslContexts.serverKey(name, bundle);
            return key.leaf().getSubjectX500Principal().getName() + ", serial " + key.leaf().getSerialNumber().toString(16)
                    + ", valid until " + key.leaf().getNotAfter().toInstant();
        } catch (BundleSslContexts.BundleProblem e) {
            return e.getMessage();
        }
    }

    /** Which TLS engine the contexts use: the choice Netty makes for a default server context. */
    static String engine() {
        return OpenSsl.isAvailable() ? "engine OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)"
                : "engine JDK (netty-tcnative " + (OpenSsl.unavailabilityCause() instanceof ClassNotFoundException
                ? "not on the class path" : "unavailable: " + OpenSsl.unavailabilityCause()) + ")";
    }
}
