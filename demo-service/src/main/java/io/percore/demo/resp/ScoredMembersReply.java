package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ZSetValue.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * Sorted-set members with their scores (ZRANGE ... WITHSCORES, ZPOPMIN with a count), written
 * straight from the entries by {@link RespReplyWriter} with no reply object per member or score:
 * one flat array of member and score text in RESP2, an array of {@code [member, double]} pairs in
 * RESP3, as Redis 7 replies. The scores' text is {@link RespDoubles#format}'s, as a
 * {@link Resp3Replies.DoubleReply}'s.
 */
public record ScoredMembersReply(List<Entry> entries) implements RedisMessage {

    /** What encoding it takes, about: each member's and score's headers and CRLFs, plus their bytes. */
    public long encodedBytes() {
        long bytes = 16;
        for (Entry e : entries) {
            bytes += e.member().length + 56;
        }
        return bytes;
    }

    /** The same reply as one object per member and score, for the readers that walk a reply (a script's {@code redis.call}). */
    public RedisMessage asMessages() {
        List<RedisMessage> out = new ArrayList<>(entries.size() * 2);
        for (Entry e : entries) {
            out.add(RespReplies.bulk(e.member()));
            out.add(Resp3Replies.DoubleReply.of(e.score()));
        }
        return new Resp3Replies.PairsReply(out);
    }
}
