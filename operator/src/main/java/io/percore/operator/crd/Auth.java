package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * The service's password, as Bitnami's Redis chart does it: on by default, from a Secret the user names or, when
 * none is named, from one the operator generates once ({@code <name>-auth}, key {@value Replication#PASSWORD_KEY},
 * never rewritten). The pods get it as {@code PERCORE_REQUIREPASS} and {@code PERCORE_MASTERAUTH}; the operator
 * reads it to AUTH when it probes them. Without a password a pod keeps Redis's protected mode and serves no client
 * from outside itself. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {

    /** The Secret the operator makes when the spec names none: {@code <service name>-auth}. */
    public static final String GENERATED_SUFFIX = "-auth";

    @JsonPropertyDescription("Require a password (default true). false: no password and no Secret; the pods keep protected mode"
            + " (they refuse clients from outside the pod), and replication and cluster are refused (their pods and the operator"
            + " connect from other pods).")
    private Boolean enabled;

    @Pattern(Replication.SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) whose key 'password' is the service's password. Unset: the operator creates"
            + " <name>-auth with a random password once, and keeps it (an existing Secret of that name is used as it is).")
    private String secretName;

    public Auth() {
    }

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public String getSecretName() { return secretName; }
    public void setSecretName(String secretName) { this.secretName = secretName; }

    /** Whether the spec's pods require a password: unless {@code auth.enabled} is false. */
    public static boolean enabled(PercoreServiceSpec spec) {
        return spec.getAuth() == null || !Boolean.FALSE.equals(spec.getAuth().getEnabled());
    }
}
