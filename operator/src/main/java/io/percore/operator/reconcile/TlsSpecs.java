package io.percore.operator.reconcile;

import io.percore.config.PercoreConfig;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Tls;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a {@code spec.tls} must be before anything is rendered from it; pure. */
final class TlsSpecs {

    private TlsSpecs() {
    }

    /** Each problem as {@code spec.tls...: what is wrong}; empty when there is no {@code spec.tls} or it is fine. */
    static List<String> specProblems(PercoreServiceSpec spec) {
        Tls tls = spec.getTls();
        List<String> problems = new ArrayList<>();
        if (tls == null) {
            return problems;
        }
        if (tls.getSecretName() == null || tls.getSecretName().isBlank()) {
            problems.add("spec.tls.secretName: required (a kubernetes.io/tls Secret with tls.crt and tls.key)");
        }
        if (tls.serversOrEmpty().isEmpty()) {
            problems.add("spec.tls.servers: name at least one server to serve TLS (e.g. resp)");
        }
        Set<String> seen = new HashSet<>();
        for (String server : tls.serversOrEmpty()) {
            if (server == null || !server.matches(PercoreConfig.NAME_PATTERN)) {
                problems.add("spec.tls.servers: '" + server + "' is not a server name (lowercase letters, digits and dashes)");
            } else if (!seen.add(server)) {
                problems.add("spec.tls.servers: '" + server + "' is listed twice");
            } else {
                String own = configuredBundle(spec.configOrEmpty(), server);
                if (own != null && !own.equals(Tls.BUNDLE)) {
                    problems.add("spec.config.servers." + server + ".ssl.bundle: '" + own + "', but spec.tls gives " + server
                            + " the Secret's bundle " + Tls.BUNDLE + "; remove one of the two");
                }
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static String configuredBundle(Map<String, Object> config, String server) {
        Object servers = config.get("servers");
        Object entry = servers instanceof Map<?, ?> m ? m.get(server) : null;
        Object ssl = entry instanceof Map<?, ?> m ? m.get("ssl") : null;
        Object bundle = ssl instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("bundle") : null;
        return bundle instanceof String b ? b : null;
    }
}
