package io.percore.demo.admin;

import io.percore.demo.acl.AccessControl;
import java.util.List;
import java.util.Locale;

/**
 * The CONFIG table's rows for ACLs (Redis's {@code acl.c} ones): the ACL file, read at start and by ACL
 * LOAD, written by ACL SAVE; how many entries the ACL LOG keeps; whether new users and selectors may
 * use every channel. Each is its row alone (kept by name in the values): the ACL subsystem reads them
 * from the values at start and when they are installed ({@code AccessControl#configure}).
 */
final class AclParameters {

    private AclParameters() {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                ConfigParameter.kept(AccessControl.ACLFILE, ConfigType.text("file path; empty: none"), ConfigParameter.Change.IMMUTABLE, "", path -> path)
                        .setBy("resp.aclfile"),
                ConfigParameter.kept(AccessControl.ACLLOG_MAX_LEN, ConfigType.unsigned(0, Long.MAX_VALUE), ConfigParameter.Change.LIVE, "128",
                        String::valueOf).setBy("resp.acllog-max-len"),
                ConfigParameter.kept(AccessControl.PUBSUB_DEFAULT, ConfigType.oneOf("allchannels, resetchannels", AclParameters::allChannels),
                        ConfigParameter.Change.LIVE, "resetchannels", all -> all ? "allchannels" : "resetchannels")
                        .setBy("resp.acl-pubsub-default"));
    }

    /** Redis's enum config {@code acl-pubsub-default}: whether it is {@code allchannels}. */
    private static Boolean allChannels(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "allchannels" -> Boolean.TRUE;
            case "resetchannels" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(text);
        };
    }
}
