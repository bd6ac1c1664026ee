package io.percore.spring.boot.autoconfigure.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.percore.config.ServerSslConfig;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;

/**
 * A server's Netty {@link SslContext} from a Spring Boot {@link SslBundle}: the key and chain of
 * the bundle's key store (its key alias, or the only key), the bundle's protocols and ciphers, and
 * with client certificates its trust store. Before a context is made the certificates are checked:
 * a chain with an expired (or not yet valid) certificate, or a key that is not the certificate's,
 * would only fail each client's handshake later, so it is refused here, naming the bundle.
 *
 * <p>The context is built with Netty's default provider: OpenSSL (BoringSSL) when
 * netty-tcnative is on the class path and loads, the JDK's engine otherwise.
 */
final class BundleSslContexts {

    private BundleSslContexts() {
    }

    /** What is wrong with a bundle, in words that name it; the caller knows which key named the bundle. */
    static final class BundleProblem extends Exception {
        private static final long serialVersionUID = 1L;
        private final String rule;

        BundleProblem(String rule, String message, Throwable cause) {
            super(message, cause);
            this.rule = rule;
        }

        String rule() {
            return rule;
        }
    }

    /** The key and certificate chain a bundle serves, checked. */
    record ServerKey(PrivateKey key, X509Certificate[] chain) {
        X509Certificate leaf() {
            return chain[0];
        }
    }

    /** @param protocol what the server's protocol needs (e.g. ALPN), applied before the bundle's options so that these win */
    static SslContext serverContext(String bundleName, SslBundle bundle, ServerSslConfig.ClientAuth clientAuth,
                                    Consumer<SslContextBuilder> protocol) throws BundleProblem {
        ServerKey serverKey = serverKey(bundleName, bundle);
        SslContextBuilder builder = SslContextBuilder.forServer(serverKey.key(), serverKey.chain());
        protocol.accept(builder);
        SslOptions options = bundle.getOptions();
        if (options.getEnabledProtocols() != null) {
            builder.protocols(options.getEnabledProtocols());
        }
        if (options.getCiphers() != null) {
            builder.ciphers(Arrays.asList(options.getCiphers()));
        }
        if (clientAuth != ServerSslConfig.ClientAuth.NONE) {
            if (bundle.getStores().getTrustStore() == null) {
                throw new BundleProblem("ssl-trust-store", "SSL bundle '" + bundleName + "' has no trust store, and client-auth "
                        + clientAuth.name().toLowerCase() + " checks client certificates against it", null);
            }
            builder.trustManager(bundle.getManagers().getTrustManagerFactory())
                    .clientAuth(clientAuth == ServerSslConfig.ClientAuth.NEED ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "' cannot make a TLS server context: " + e.getMessage(), e);
        }
    }

    /** The bundle's key and chain, after checking their dates and that the key is the certificate's. */
    static ServerKey serverKey(String bundleName, SslBundle bundle) throws BundleProblem {
        KeyStore store = bundle.getStores().getKeyStore();
        if (store == null) {
            throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "' has no key store: a server needs its key and certificate", null);
        }
        try {
            String alias = keyAlias(bundleName, bundle.getKey(), store);
            String password = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword() : bundle.getStores().getKeyStorePassword();
            Key key = store.getKey(alias, password == null ? new char[0] : password.toCharArray());
            if (!(key instanceof PrivateKey privateKey)) {
                throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "': entry '" + alias + "' holds no private key", null);
            }
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
                throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "': entry '" + alias + "' has no X.509 certificate chain", null);
            }
            X509Certificate[] x509 = Arrays.stream(chain).map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            checkDates(bundleName, x509, new Date());
            checkKeyMatches(bundleName, privateKey, x509[0]);
            return new ServerKey(privateKey, x509);
        } catch (GeneralSecurityException e) {
            throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "': the key cannot be read: " + e.getMessage(), e);
        }
    }

    private static String keyAlias(String bundleName, SslBundleKey bundleKey, KeyStore store) throws GeneralSecurityException, BundleProblem {
        if (bundleKey.getAlias() != null) {
            if (!store.isKeyEntry(bundleKey.getAlias())) {
                throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "': its key alias '" + bundleKey.getAlias()
                        + "' is not a key in the key store", null);
            }
            return bundleKey.getAlias();
        }
        List<String> keys = Collections.list(store.aliases()).stream().filter(a -> isKey(store, a)).toList();
        if (keys.size() != 1) {
            throw new BundleProblem("ssl-bundle", "SSL bundle '" + bundleName + "': the key store holds " + keys.size()
                    + " keys " + keys + "; name one with the bundle's key.alias", null);
        }
        return keys.get(0);
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static void checkDates(String bundleName, X509Certificate[] chain, Date now) throws BundleProblem {
        for (int i = 0; i < chain.length; i++) {
            X509Certificate certificate = chain[i];
            String which = i == 0 ? "its certificate" : "certificate " + i + " of its chain";
            try {
                certificate.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new BundleProblem("certificate-expired", "SSL bundle '" + bundleName + "': " + which + " ("
                        + certificate.getSubjectX500Principal().getName() + ", serial " + certificate.getSerialNumber().toString(16)
                        + ") expired on " + certificate.getNotAfter().toInstant() + "; renew it", e);
            } catch (CertificateNotYetValidException e) {
                throw new BundleProblem("certificate-not-yet-valid", "SSL bundle '" + bundleName + "': " + which + " ("
                        + certificate.getSubjectX500Principal().getName() + ") is not valid before " + certificate.getNotBefore().toInstant()
                        + " (is this host's clock right?)", e);
            }
        }
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    static void checkKeyMatches(String bundleName, PrivateKey key, X509Certificate certificate) throws BundleProblem {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return; // a key type this check does not know: the handshake will tell
        }
        boolean matches;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new BundleProblem("key-mismatch", "SSL bundle '" + bundleName + "': its private key is not the key of its certificate ("
                    + certificate.getSubjectX500Principal().getName() + ", serial " + certificate.getSerialNumber().toString(16)
                    + "); the key and certificate files do not belong together", null);
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
    }
}
