package io.percore.demo.feed;

/**
 * Hears every change of one shard, on that shard's thread, inside the change (the shard's write path
 * calls it): it must be quick and must not write. A change's arrays may be the store's own, which
 * later commands change in place (a string APPEND or SETBIT grows): encode or copy what it keeps
 * before it returns.
 */
@FunctionalInterface
public interface ChangeListener {
    void changed(Change change);
}
