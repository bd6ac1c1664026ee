package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * One Redis ACL user of the service ({@code spec.users}): its name, the Secret that holds its passwords (key
 * {@value #PASSWORDS_KEY}, one per line) and, there or here, its rules in Redis's own {@code ACL SETUSER} syntax
 * without passwords. The operator applies it to every running pod without a restart and writes it into the aclfile the
 * pods read at start. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class User {

    /** The Secret's key of the user's passwords: one per line, so a rotation is a second line, then the first removed. */
    public static final String PASSWORDS_KEY = "password";
    /** The Secret's optional key of the user's rules, when the spec entry has none. */
    public static final String RULES_KEY = "rules";
    /** A user name: what Redis accepts in an aclfile (no spaces), kept to characters that need no quoting anywhere. */
    public static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$";
    public static final int MAX_RULES_LENGTH = 4096;
    /** Where the pods read their aclfile: the operator's Secret {@code <name>-users}, mounted whole (the kubelet refreshes it). */
    public static final String ACL_MOUNT = "/etc/percore-users/";
    public static final String ACL_FILE = "users.acl";
    /** The service's setting of the aclfile's path (the demo's {@code percore.demo.resp.aclfile}, Redis's {@code aclfile}). */
    public static final String ACLFILE_ENV = "PERCORE_DEMO_RESP_ACLFILE";

    @Required
    @Pattern(NAME_PATTERN)
    @JsonPropertyDescription("The user's name (AUTH <name> <password>). Not default, percore-operator or percore-replica: those are the"
            + " operator's.")
    private String name;

    @Required
    @Pattern(Replication.SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) whose key 'password' holds the user's passwords, one per line (two lines during a"
            + " rotation), and optionally key 'rules'. A change of the Secret is applied to the running pods.")
    private String secretName;

    @Size(max = MAX_RULES_LENGTH)
    @JsonPropertyDescription("The user's ACL rules as ACL SETUSER takes them, without passwords, e.g. '~app:* +@all -@dangerous'. Unset:"
            + " the Secret's key 'rules'. Applied after 'reset on' and the passwords' hashes.")
    private String rules;

    public User() {
    }

    public User(String name, String secretName, String rules) {
        this.name = name;
        this.secretName = secretName;
        this.rules = rules;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getSecretName() { return secretName; }
    public void setSecretName(String secretName) { this.secretName = secretName; }
    public String getRules() { return rules; }
    public void setRules(String rules) { this.rules = rules; }
}
