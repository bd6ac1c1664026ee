package io.percore.demo.replication;

import io.percore.demo.persistence.InfoLines;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a replica says to its primary before {@code PSYNC}, as Redis's {@code syncWithMaster} does: {@code PING}, {@code AUTH}
 * with {@code masterauth} (and {@code masteruser}), in cluster mode {@code CLUSTER MYID} to check that the node at the
 * address is the layout's primary, then {@code REPLCONF listening-port} and {@code REPLCONF capa eof capa psync2}. It keeps
 * the identity check's verdict across tries (INFO's {@code master_link_refused}, logged once per node met). Used by the
 * link's thread; the verdict is read by INFO from any thread.
 */
final class PrimaryHandshake {

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryLink.class); // the link's log, as before

    /** Thrown when the node at the link's address is not the layout's primary: no sync, tried again later. */
    static final class NotTheLayoutsPrimary extends IOException {
        NotTheLayoutsPrimary(String why) {
            super(why);
        }
    }

    /** The last try found another node than the layout's primary at the link's address (INFO's {@code master_link_refused}). */
    private record Refused(String found, String expected) {
    }

    private final String host;
    private final int port;
    private final PrimaryLink.Host server;
    /** Non-null since a try met another node than the layout's primary, until one meets it (or no layout names one). */
    private volatile Refused refused;
    private final AtomicLong refusals = new AtomicLong();
    /** The node last logged as refused (logged once per node met). */
    private String refusedLogged;

    PrimaryHandshake(String host, int port, PrimaryLink.Host server) {
        this.host = host;
        this.port = port;
        this.server = server;
    }

    /** How many tries met another node than the layout's primary at the link's address (and did not sync). */
    long refusals() {
        return refusals.get();
    }

    /** INFO's {@code master_link_refused} while the link refuses the node it meets (not Redis's: INFO parsers skip it). */
    void info(InfoLines out) {
        Refused why = refused;
        if (why != null) {
            out.line("master_link_refused", "node=" + why.found() + ",expected=" + why.expected());
        }
    }

    /** The exchange before PSYNC on {@code wire}. */
    void run(PrimaryWire wire) throws IOException {
        wire.send("PING");
        String pong = wire.line();
        if (!pong.startsWith("+") && !pong.startsWith("-NOAUTH") && !pong.startsWith("-NOPERM")
                && !pong.startsWith("-ERR operation not permitted")) {
            // its maxclients (-ERR max number of clients reached), protected mode (-DENIED), -LOADING ...
            throw new LinkFailure("Error reply to PING from master: '" + pong + "'", "the primary refused the connection: " + pong);
        }
        String auth = server.masterAuth();
        if (auth != null) {
            String user = server.masterUser();
            if (user != null) {
                wire.send("AUTH", user, auth);
            } else {
                wire.send("AUTH", auth);
            }
            String ok = wire.line();
            if (ok.startsWith("-")) {
                throw new LinkFailure("Unable to AUTH to MASTER: " + ok, "the primary refused AUTH: " + ok);
            }
        }
        String expected = server.layoutPrimaryAt(host, port);
        if (expected != null) {
            checkIdentity(wire, expected);
        } else {
            refused = null;
        }
        wire.send("REPLCONF", "listening-port", Integer.toString(server.listeningPort()));
        String portReply = wire.line();
        if (portReply.startsWith("-")) {
            LOG.info("(Non critical) Master does not understand REPLCONF listening-port: {}", portReply);
        }
        wire.send("REPLCONF", "capa", "eof", "capa", "psync2");
        String capa = wire.line();
        if (capa.startsWith("-")) {
            LOG.info("(Non critical) Master does not understand REPLCONF capa: {}", capa);
        }
    }

    /** {@code CLUSTER MYID} (after AUTH, before anything that could start a sync): is the node here the layout's primary? */
    private void checkIdentity(PrimaryWire wire, String expected) throws IOException {
        wire.send("CLUSTER", "MYID");
        String reply = wire.line();
        if (reply.startsWith("$-")) {
            reply = ""; // a nil bulk: no id, and no line after it to wait for
        } else if (reply.startsWith("$")) {
            reply = wire.line();
        } else if (reply.startsWith("+")) {
            reply = reply.substring(1);
        }
        PrimaryIdentity.Verdict v = PrimaryIdentity.judge(expected, reply);
        switch (v.kind()) {
            case SAME -> {
                if (refused != null) {
                    LOG.info("MASTER {}:{} is node {}, the layout's primary: syncing", host, port, expected);
                }
                refused = null;
                refusedLogged = null;
            }
            case NOT_NOW -> throw new IOException("Error reply to CLUSTER MYID from master: '-" + v.found() + "'");
            case OTHER -> {
                String why = PrimaryIdentity.refusal(host + ":" + port, expected, v);
                String found = v.found().startsWith("ERR") ? "none" : v.found();
                refused = new Refused(found, expected);
                refusals.incrementAndGet();
                if (!v.found().equals(refusedLogged)) {
                    refusedLogged = v.found();
                    LOG.warn("Not syncing with MASTER: {}", why);
                }
                throw new NotTheLayoutsPrimary(why);
            }
            default -> throw new IllegalStateException(v.kind().toString());
        }
    }
}
