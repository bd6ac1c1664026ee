package io.percore.demo.admin;

/**
 * MEMORY DOCTOR's report (Redis's {@code getMemoryDoctorReport}) in Redis's words, on what this server can tell:
 * an instance under 5 MB is "empty"; otherwise a peak over 150 % of the memory used now, clients holding more than
 * 200 KB each on average, replicas' buffers over 10 MB, more than 1,000 cached scripts. Redis's checks of the
 * allocator's fragmentation and resident set are left out: a JVM's resident set is its heap as sized, not
 * fragmentation, so they would always fire and mean nothing.
 */
final class MemoryDoctor {

    /** Under this much used memory the instance is "empty" for the doctor. */
    private static final long EMPTY_BELOW = 5L * 1024 * 1024;
    private static final long CLIENT_BUFFERS_PER_CLIENT = 200L * 1024;
    private static final long REPLICA_BUFFERS = 10L * 1024 * 1024;
    private static final int MANY_SCRIPTS = 1000;

    static final String NO_ISSUE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
    static final String EMPTY = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these "
            + "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our "
            + "programming as soon as I finished rebooting.\n";
    private static final String ISSUES = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
    private static final String BIG_PEAK = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. "
            + "The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, "
            + "however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "
            + "is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the "
            + "memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the "
            + "only other option is to shutdown and restart the instance.\n\n";
    private static final String BIG_REPLICA_BUFFERS = " * Big replica buffers: The replica output buffers in this instance are greater than "
            + "10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving "
            + "data, either because it is too slow or because of networking issues. As a result, data piles on the master output "
            + "buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order "
            + "to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n";
    private static final String BIG_CLIENT_BUFFERS = " * Big client buffers: The clients output buffers in this instance are greater than "
            + "200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not "
            + "receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large "
            + "replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to "
            + "investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a "
            + "big amount of memory.\n\n";
    private static final String MANY_SCRIPTS_CACHED = " * Many scripts: There seem to be many cached scripts in this instance (more than "
            + "1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), "
            + "`SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming "
            + "most of your memory.\n\n";
    private static final String CLOSING = "I'm here to keep you safe, Sam. I want to help you.\n";

    private MemoryDoctor() {
    }

    static String report(MemoryOverhead mh) {
        if (mh.totalAllocated() < EMPTY_BELOW) {
            return EMPTY;
        }
        StringBuilder issues = new StringBuilder();
        if ((float) mh.peakAllocated() / mh.totalAllocated() > 1.5) {
            issues.append(BIG_PEAK);
        }
        // Redis's order: the peak, the allocator's checks (not here), the replicas, the clients, the scripts
        if (mh.replicas() > 0 && mh.clientsSlaves() > REPLICA_BUFFERS) {
            issues.append(BIG_REPLICA_BUFFERS);
        }
        long clients = Math.max(1, mh.connectedClients() - mh.replicas());
        if (mh.clientsNormal() / clients > CLIENT_BUFFERS_PER_CLIENT) {
            issues.append(BIG_CLIENT_BUFFERS);
        }
        if (mh.cachedScripts() > MANY_SCRIPTS) {
            issues.append(MANY_SCRIPTS_CACHED);
        }
        return issues.isEmpty() ? NO_ISSUE : ISSUES + issues + CLOSING;
    }
}
