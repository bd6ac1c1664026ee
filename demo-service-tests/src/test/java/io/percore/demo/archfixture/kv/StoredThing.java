package io.percore.demo.archfixture.kv;

import io.percore.demo.archfixture.admin.ClientList;
import io.percore.demo.archfixture.shard.Router;

/** A value that reaches to the shard package beside it, which uses it (a circle), and up to an operators' command (an arrow up): both refused. */
public final class StoredThing {
    public int owner(byte[] key) {
        return Router.shardOf(key);
    }

    public String caller() {
        return new ClientList().name();
    }
}
