package io.percore.net.resp;

import io.netty.buffer.ByteBuf;

/**
 * Told, before the first of several pipelined commands runs, where each one's first argument lies
 * in the bytes read, so that the server can bring those keys' entries into the cache together
 * (their cache misses overlapping) instead of one command at a time (each miss waited for in turn).
 * Redis 8 prefetches a batch's keys the same way. A hint only: the commands are decoded and run
 * exactly as without it.
 */
@FunctionalInterface
public interface RespKeyLookahead {

    /**
     * @param in        the connection's buffered bytes; read with absolute indexes only (its reader
     *                  index is the decoder's)
     * @param keyAt     for each command, the index of its first argument after the name
     * @param keyLength that argument's length
     * @param count     how many commands (at least 2)
     */
    void keysAhead(ByteBuf in, int[] keyAt, int[] keyLength, int count);
}
