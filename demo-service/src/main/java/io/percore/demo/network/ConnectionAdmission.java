package io.percore.demo.network;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.percore.demo.server.ClientAddresses;
import io.percore.demo.server.ClientRegistry;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;

/**
 * Whether a client may connect (Redis's {@code clientAcceptHandler}): maxclients, then protected
 * mode. Whether its commands may run is {@code execution.Admission}'s, with the checks the
 * subsystems register ({@code table.RespCommands.admission()}).
 */
final class ConnectionAdmission {

    private static final ErrorRedisMessage MAX_CLIENTS = new ErrorRedisMessage("ERR max number of clients reached");

    /** Redis 7.0's text for a client refused by protected mode. */
    private static final ErrorRedisMessage DENIED = new ErrorRedisMessage("DENIED Redis is running in protected mode because protected mode is"
            + " enabled and no password is set for the default user. In this mode connections are only accepted from the loopback"
            + " interface. If you want to connect from external computers to Redis you may adopt one of the following solutions:"
            + " 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by"
            + " connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from"
            + " internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the"
            + " protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then"
            + " restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode"
            + " no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above"
            + " things in order for the server to start accepting connections from the outside.");

    private ConnectionAdmission() {
    }

    /**
     * Whether a new connection may stay (Redis's {@code clientAcceptHandler}): the error it is told before it is
     * closed, or null. Redis's maxclients (CONFIG SET maxclients), each shard taking its share as with maxmemory;
     * protected mode: the default user needs no password ({@code nopass}), so only the loopback interface is served.
     */
    static ErrorRedisMessage connection(ServerShard server, int shards, java.net.SocketAddress peer) {
        if (server.clients().size() >= ClientRegistry.shardLimit(server.config(), shards)) {
            return MAX_CLIENTS;
        }
        ConfigValues config = server.config();
        if (config.protectedMode() && server.acl().users().defaultUser().current().nopass() && !ClientAddresses.loopback(peer)) {
            return DENIED;
        }
        return null;
    }
}
