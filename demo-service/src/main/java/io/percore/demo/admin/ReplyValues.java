package io.percore.demo.admin;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plain values as RESP replies, for the admin replies built as Java values (ROLE, CLUSTER SLOTS/SHARDS). */
final class ReplyValues {

    private ReplyValues() {
    }

    /** A Long as an integer, a List as an array, a Map as a map (a flat array in RESP2), anything else as a bulk string. */
    static RedisMessage encode(Object value) {
        if (value instanceof Long n) {
            return new IntegerRedisMessage(n);
        }
        if (value instanceof List<?> list) {
            List<RedisMessage> children = new ArrayList<>(list.size());
            list.forEach(v -> children.add(encode(v)));
            return new ArrayRedisMessage(children);
        }
        if (value instanceof Map<?, ?> map) {
            List<RedisMessage> keysAndValues = new ArrayList<>(map.size() * 2);
            map.forEach((k, v) -> {
                keysAndValues.add(RespReplies.bulk(String.valueOf(k)));
                keysAndValues.add(encode(v));
            });
            return new Resp3Replies.MapReply(keysAndValues);
        }
        return RespReplies.bulk(String.valueOf(value));
    }
}
