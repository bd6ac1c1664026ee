package io.percore.demo.admin;

import io.percore.demo.replication.Replication;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;

/**
 * What a parameter's change does on a shard once the shard holds the new values: Redis's apply functions
 * ({@code config.c}'s {@code updateMaxmemory}, {@code updateAppendonly}, ...). Each is shared by the rows it serves
 * ({@link ConfigParameter#applied}) and runs once per install however many of them changed: a CONFIG SET of
 * maxmemory and maxmemory-policy sets the budget once. Those of one service-wide subsystem run on shard 0 only (the
 * subsystem is one for every shard); those {@link #atStart} also run when a shard takes its first values, the others'
 * subsystems being built from those values.
 */
enum ConfigApply {

    /** maxmemory, its policy and samples: each shard's part of the budget; a smaller one evicts at once, as Redis. */
    BUDGET(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.data().databases().budget(next.memory().perShard(shard.shardCount()));
            if (previous != null) {
                shard.data().store(0).makeRoom(System.currentTimeMillis()); // not at the next write
            }
        }
    },
    /** The encoding thresholds: when each type leaves its compact form. */
    ENCODINGS(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.data().databases().encodings(next.encodings());
        }
    },
    /** proto-max-bulk-len: the longest string a write may make (APPEND, SETRANGE, the bit commands' offsets). */
    STRING_LENGTH(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.data().databases().maxStringLength(next.protoMaxBulkLen());
        }
    },
    KEYSPACE_EVENTS(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.data().writes().notifyKeyspaceEvents(next.notifyKeyspaceEvents());
        }
    },
    TRACKING_TABLE(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.data().tracking().maxKeys(next.trackingTableMaxKeys());
        }
    },
    SLOW_LOG(true, false) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.slowLog(next.slowlogSlowerThan(), next.slowlogMaxLen());
        }
    },
    /** client-output-buffer-limit's replica class: the replicas' links, one set for the service. */
    REPLICA_OUTPUT(true, true) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            RespSettings.OutputBufferLimit r = next.outputLimits().replica();
            shard.replication().outputLimit(new Replication.OutputLimit(r.hardBytes(), r.softBytes(), r.softSeconds()));
        }
    },
    PERSISTENCE(false, true) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.persistence().settings(next.persistence());
        }
    },
    REPLICATION(false, true) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.replication().settings(next.replication());
        }
    },
    /** The ACL LOG's length and acl-pubsub-default, kept by name in the values. */
    ACL(false, true) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.acl().configure(next::value);
        }
    },
    /** Redis's requirepass: the default user's password. */
    PASSWORD(false, true) {
        @Override
        void run(ServerShard shard, ConfigValues previous, ConfigValues next) {
            shard.acl().users().defaultPassword(next.requirePass());
        }
    };

    private final boolean atStart;
    private final boolean shardZeroOnly;

    ConfigApply(boolean atStart, boolean shardZeroOnly) {
        this.atStart = atStart;
        this.shardZeroOnly = shardZeroOnly;
    }

    /** Whether it runs when a shard takes its first values. */
    boolean atStart() {
        return atStart;
    }

    /** Whether it runs on {@code shard}: every shard, or shard 0 for a service-wide subsystem. */
    boolean runsOn(ServerShard shard) {
        return !shardZeroOnly || shard.shardId() == 0;
    }

    /** On {@code shard}'s thread, which holds {@code next} now ({@code previous}: its values before, null at first). */
    abstract void run(ServerShard shard, ConfigValues previous, ConfigValues next);
}
