package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamIterator;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.resp.EncodedReply;
import io.percore.demo.resp.RespEncoder;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Stream entries as Redis replies them ({@code streamReplyWithRange}): each entry a two-element
 * array of its ID and its fields and values, the same bytes in both protocols. They are encoded on
 * the key's shard straight from the nodes' bytes into one {@link EncodedReply}, so a range of a
 * million entries costs its wire size (as in Redis's output buffer), not objects per field.
 */
final class StreamReplies {

    private StreamReplies() {
    }

    static RedisMessage id(StreamId id) {
        return RespReplies.bulk(id.bytes());
    }

    static RedisMessage id(long ms, long seq) {
        return RespReplies.bulk(StreamId.format(ms, seq));
    }

    /** Appends the entry the iterator stands on. */
    static void entry(RespEncoder out, StreamIterator it) {
        out.arrayHeader(2);
        out.bulk(StreamId.format(it.idMs(), it.idSeq()));
        out.arrayHeader(2 * it.fieldCount());
        it.emitFieldsAndValues(new StreamIterator.ElementSink() {
            @Override
            public void string(byte[] array, int from, int length) {
                out.bulk(array, from, length);
            }

            @Override
            public void integer(long value) {
                out.bulk(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** The entry the iterator stands on, as a reply of its own (an element of a larger reply). */
    static EncodedReply entry(StreamIterator it) {
        RespEncoder out = new RespEncoder(64);
        entry(out, it);
        return out.elements();
    }

    /** A pending entry whose stream entry is gone: its ID and a null array (XREADGROUP's history). */
    static RedisMessage missingEntry(long ms, long seq) {
        return new ArrayRedisMessage(List.of(id(ms, seq), ArrayRedisMessage.NULL_INSTANCE));
    }

    /**
     * The entries from {@code start} to {@code end} (backwards when {@code rev}), at most {@code count}
     * (0: all), as one array. No reply grows past {@link RespEncoder#maxBytes()} (but for its first
     * entry): a read that may return fewer entries than asked ({@code mayCut}: XREAD, whose client
     * reads on from the last ID) stops there; another (XRANGE) is refused with {@link #TOO_LARGE}
     * before it is sent, as its client asked for all of them.
     */
    static EncodedReply range(StreamValue s, StreamId start, StreamId end, long count, boolean rev, boolean mayCut) {
        RespEncoder out = new RespEncoder(256);
        long n = 0;
        StreamIterator it = s.iterator(start, end, rev);
        while (it.next()) {
            if (n > 0 && out.full()) {
                if (mayCut) {
                    break;
                }
                throw tooLarge();
            }
            entry(out, it);
            n++;
            if (count != 0 && n == count) {
                break;
            }
        }
        return out.array(n);
    }

    /** Why a read that must return everything it asked for is refused past {@link RespEncoder#maxBytes()}. */
    static RespError tooLarge() {
        return new RespError("ERR the reply would hold more than " + RespEncoder.maxBytes()
                + " bytes (an eighth of the heap, what one client may hold): ask for fewer entries with COUNT");
    }

    /** The single live entry with this ID, or null when there is none. */
    static EncodedReply single(StreamValue s, long ms, long seq) {
        StreamId id = new StreamId(ms, seq);
        StreamIterator it = s.iterator(id, id, false);
        return it.next() ? entry(it) : null;
    }

    static RedisMessage array(List<RedisMessage> items) {
        return items.isEmpty() ? ArrayRedisMessage.EMPTY_INSTANCE : new ArrayRedisMessage(items);
    }
}
