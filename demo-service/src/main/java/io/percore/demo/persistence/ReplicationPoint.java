package io.percore.demo.persistence;

import io.percore.demo.rdb.ReplicationInfo;

/**
 * Where the replication stream stood ({@code at}) when the keyspace had made exactly the changes {@code clocks} count
 * ({@link io.percore.demo.feed.ChangeClocks}): a replica's link once it applied what it acknowledges, a primary's stream
 * once it carried every change made. The append-only file, caught up at the same clocks, holds what a replica at that
 * offset holds, and says so ({@link ReplicationAnnotation}).
 */
public record ReplicationPoint(ReplicationInfo at, long[] clocks) {

}
