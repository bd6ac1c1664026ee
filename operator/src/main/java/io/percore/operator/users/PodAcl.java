package io.percore.operator.users;

import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PodReplicationProbe.ProbeException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users' conversation with a pod, over {@link PodReplicationProbe}'s bounded RESP calls: {@code ACL LIST} (as the
 * operator's own user, which may read them), {@code ACL SETUSER} and {@code ACL DELUSER} (as the default user: a user
 * allowed to change users could give itself anything). Only what redis-server 7.0 also answers. A pod is not trusted: a
 * reply of another shape is an error, and {@code ACL LIST} is bounded at {@link #MAX_LIST_BYTES}.
 */
public final class PodAcl {

    /** 64 users of 4 KiB of rules each, with their hashes, fit with room to spare. */
    public static final int MAX_LIST_BYTES = 1 << 20;
    private static final int MAX_SMALL_REPLY_BYTES = 4 * 1024;

    private final PodReplicationProbe resp;

    public PodAcl(PodReplicationProbe resp) {
        this.resp = resp;
    }

    /** {@code ACL LIST}: user → its whole line ({@code user <name> <rules>}), as the pod prints it. */
    public Map<String, String> list(HostPort pod, PodAuth auth) throws IOException {
        Object reply = resp.command(pod, auth, MAX_LIST_BYTES, "ACL", "LIST");
        if (!(reply instanceof List<?> lines)) {
            throw new ProbeException("ACL LIST: not an array");
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (Object o : lines) {
            if (!(o instanceof String line) || !line.startsWith("user ")) {
                throw new ProbeException("ACL LIST: not a user line");
            }
            int end = line.indexOf(' ', 5);
            String name = end < 0 ? line.substring(5) : line.substring(5, end);
            if (name.isEmpty() || users.put(name, line) != null) {
                throw new ProbeException("ACL LIST: a user without a name, or twice");
            }
        }
        return users;
    }

    /** {@code ACL SETUSER <name> <rules...>}; Redis's refusal is thrown as the pod's error reply. */
    public void setUser(HostPort pod, PodAuth auth, AclUser user) throws IOException {
        List<String> command = new ArrayList<>(List.of("ACL", "SETUSER", user.name()));
        command.addAll(user.rules());
        Object reply = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, command.toArray(String[]::new));
        if (!"OK".equals(reply)) {
            throw new ProbeException("ACL SETUSER: unexpected reply");
        }
    }

    /** {@code ACL DELUSER <name>}: Redis disconnects the user's clients. */
    public void deleteUser(HostPort pod, PodAuth auth, String user) throws IOException {
        Object reply = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "ACL", "DELUSER", user);
        if (!(reply instanceof Long)) {
            throw new ProbeException("ACL DELUSER: unexpected reply");
        }
    }

    /** Whether an error reply says the pod has no {@code ACL} command at all (an image without ACLs). */
    public static boolean unsupported(PodReplicationProbe.ErrorReplyException e) {
        return e.reply().startsWith("ERR unknown command") && e.reply().toLowerCase(java.util.Locale.ROOT).contains("'acl'");
    }
}
