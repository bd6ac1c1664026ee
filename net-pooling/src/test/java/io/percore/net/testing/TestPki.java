package io.percore.net.testing;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for TLS tests, in files as Kubernetes and cert-manager lay them out
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}, PEM): server certificates for
 * {@code localhost}/{@code 127.0.0.1}, client certificates, expired ones, and a certificate with
 * another certificate's key. Made with BouncyCastle in memory, in milliseconds.
 */
public final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();
    public static final char[] STORE_PASSWORD = "changeit".toCharArray();

    private final Path dir;
    private final String algorithm;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    private TestPki(Path dir, String algorithm) {
        this.dir = dir;
        this.algorithm = algorithm;
        this.caKeys = keyPair(algorithm);
        X500Name name = new X500Name("CN=Percore Test CA " + Long.toHexString(RANDOM.nextLong()));
        Instant now = Instant.now();
        this.ca = sign(name, caKeys, name, caKeys.getPublic(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, null, null);
        this.caFile = writePem(dir.resolve("ca.crt"), "CERTIFICATE", encoded(ca));
    }

    /** An EC P-256 authority writing its files under {@code dir}. */
    public static TestPki create(Path dir) {
        return new TestPki(dir, "EC");
    }

    /** An authority whose keys are {@code algorithm} ({@code EC} P-256 or {@code RSA} 2048, cert-manager's default). */
    public static TestPki create(Path dir, String algorithm) {
        return new TestPki(dir, algorithm);
    }

    /** The authority's certificate, PEM ({@code ca.crt}). */
    public Path caFile() {
        return caFile;
    }

    public X509Certificate ca() {
        return ca;
    }

    /** A server certificate for localhost and 127.0.0.1, valid from an hour ago for 30 days: {@code <name>.crt}, {@code <name>.key}. */
    public Issued server(String name) {
        Instant now = Instant.now();
        return server(name, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
    }

    /** A server certificate valid from {@code notBefore} to {@code notAfter} (in the past: expired). */
    public Issued server(String name, Instant notBefore, Instant notAfter) {
        return issue(name, notBefore, notAfter, KeyPurposeId.id_kp_serverAuth);
    }

    /** A client certificate (for client authentication), CN {@code name}. */
    public Issued client(String name) {
        Instant now = Instant.now();
        return issue(name, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), KeyPurposeId.id_kp_clientAuth);
    }

    /** {@code certificateOwner}'s certificate with {@code keyOwner}'s key: a pair that does not match. */
    public Issued mismatched(String name, Issued certificateOwner, Issued keyOwner) {
        Path crt = copy(certificateOwner.certificateFile(), dir.resolve(name + ".crt"));
        Path key = copy(keyOwner.keyFile(), dir.resolve(name + ".key"));
        return new Issued(this, name, crt, key, certificateOwner.certificate(), keyOwner.key());
    }

    private Issued issue(String name, Instant notBefore, Instant notAfter, KeyPurposeId purpose) {
        KeyPair keys = keyPair(algorithm);
        X509Certificate cert = sign(new X500Name("CN=" + name), keys, X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                caKeys.getPublic(), notBefore, notAfter, false, purpose, caKeys.getPrivate());
        Path crt = writePem(dir.resolve(name + ".crt"), "CERTIFICATE", encoded(cert));
        Path key = writePem(dir.resolve(name + ".key"), "PRIVATE KEY", keys.getPrivate().getEncoded());
        return new Issued(this, name, crt, key, cert, keys.getPrivate());
    }

    /** A client's Netty context trusting this authority. */
    public SslContext clientContext() {
        try {
            return SslContextBuilder.forClient().trustManager(ca).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client's Netty context trusting this authority and showing {@code clientCertificate}. */
    public SslContext clientContext(Issued clientCertificate) {
        try {
            return SslContextBuilder.forClient().trustManager(ca).keyManager(clientCertificate.key(), clientCertificate.certificate()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDK client context trusting this authority (for {@code SSLSocket}s, Jedis, the JDK's HTTP client). */
    public SSLContext jdkClientContext() {
        return jdkClientContext(null);
    }

    /** As {@link #jdkClientContext()}, showing {@code clientCertificate} when not null. */
    public SSLContext jdkClientContext(Issued clientCertificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCertificate != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(clientCertificate.keyStore(), STORE_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate and its key, in files and in memory. */
    public record Issued(TestPki pki, String name, Path certificateFile, Path keyFile, X509Certificate certificate, PrivateKey key) {

        /** A server context presenting this certificate. */
        public SslContext serverContext() {
            try {
                return SslContextBuilder.forServer(key, certificate).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The key and certificate (with the authority's) as a PKCS#12 key store, password {@link #STORE_PASSWORD}. */
        public KeyStore keyStore() throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, key, STORE_PASSWORD, new java.security.cert.Certificate[] {certificate, pki.ca});
            return store;
        }

        /** {@link #keyStore()} written to {@code <name>.p12}. */
        public Path keyStoreFile() {
            Path file = pki.dir.resolve(name + ".p12");
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore().store(out, STORE_PASSWORD);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
            return file;
        }

        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** The files of a cert-manager Secret with this certificate: {@code tls.crt}, {@code tls.key} and the authority's {@code ca.crt}. */
        public Map<String, byte[]> secretFiles() {
            try {
                Map<String, byte[]> files = new LinkedHashMap<>();
                files.put("tls.crt", Files.readAllBytes(certificateFile));
                files.put("tls.key", Files.readAllBytes(keyFile));
                files.put("ca.crt", Files.readAllBytes(pki.caFile()));
                return files;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, java.security.PublicKey issuerPublic,
                                        Instant notBefore, Instant notAfter, boolean authority, KeyPurposeId purpose, PrivateKey issuerKey) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())}));
            }
            PrivateKey signer = authority ? subjectKeys.getPrivate() : issuerKey;
            String signature = signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            ContentSigner contentSigner = new JcaContentSignerBuilder(signature).build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    private static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            } else {
                generator.initialize(2048, RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writePem(Path file, String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        try {
            Files.createDirectories(file.getParent());
            // Written aside and moved in: a watcher never reads half a file.
            Path tmp = Files.createTempFile(file.getParent(), ".pem", ".tmp");
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copy(Path from, Path to) {
        try {
            return Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
