package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import io.percore.demo.command.KeyCommand;
import io.percore.demo.resp.BulkReply;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/** The string commands and the key commands (TYPE, EXPIRE, TTL, ...) on one shard's value store, with Redis 7.0.15's replies (checked against redis-server). */
class StringCommandsTest {

    private final ValueStore ks = new ValueStore();
    private long now = 1_000_000;

    private Object run(KeyCommand command, String... args) {
        byte[][] argv = Arrays.stream(args).map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        RedisMessage m;
        try {
            m = command.execute(ks, argv, now);
        } catch (RespError e) {
            m = e.reply();
        } catch (WrongTypeException e) {
            m = RespReplies.forFailure(e);
        }
        if (m instanceof SimpleStringRedisMessage s) {
            return "+" + s.content();
        }
        if (m instanceof ErrorRedisMessage e) {
            return "-" + e.content();
        }
        if (m instanceof IntegerRedisMessage i) {
            return i.value();
        }
        if (m instanceof BulkReply b) {
            return new String(b.value(), StandardCharsets.UTF_8);
        }
        if (m instanceof FullBulkStringRedisMessage b) {
            return b.isNull() ? null : b.content().toString(StandardCharsets.UTF_8);
        }
        throw new AssertionError("unexpected " + m);
    }

    @Test
    void setOptions() {
        assertThat(run(StringCommands::set, "set", "k", "v")).isEqualTo("+OK");
        assertThat(run(StringCommands::set, "set", "k", "w", "NX")).isNull();
        assertThat(run(StringCommands::set, "set", "k", "w", "xx", "get")).isEqualTo("v");
        assertThat(run(StringCommands::set, "set", "n", "w", "XX")).isNull();
        assertThat(run(StringCommands::set, "set", "k", "v", "ex", "0")).isEqualTo("-ERR invalid expire time in 'set' command");
        assertThat(run(StringCommands::set, "set", "k", "v", "ex", "abc")).isEqualTo("-ERR value is not an integer or out of range");
        assertThat(run(StringCommands::set, "set", "k", "v", "nx", "xx")).isEqualTo("-ERR syntax error");
        assertThat(run(StringCommands::set, "set", "k", "v", "px", "10", "ex", "10")).isEqualTo("-ERR syntax error");
        assertThat(run(StringCommands::set, "set", "k", "v", "keepttl", "ex", "10")).isEqualTo("-ERR syntax error");
        assertThat(run(StringCommands::set, "set", "k", "v", "ex")).isEqualTo("-ERR syntax error");

        assertThat(run(StringCommands::set, "set", "t", "v", "EX", "10")).isEqualTo("+OK");
        assertThat(run(KeyCommands::ttl, "ttl", "t")).isEqualTo(10L);
        assertThat(run(StringCommands::set, "set", "t", "v2", "KEEPTTL")).isEqualTo("+OK");
        assertThat(run(KeyCommands::pttl, "pttl", "t")).isEqualTo(10_000L);
        assertThat(run(StringCommands::set, "set", "t", "v3")).isEqualTo("+OK");
        assertThat(run(KeyCommands::ttl, "ttl", "t")).isEqualTo(-1L);
        assertThat(run(StringCommands::set, "set", "t", "v", "PXAT", Long.toString(now + 500))).isEqualTo("+OK");
        assertThat(run(KeyCommands::pttl, "pttl", "t")).isEqualTo(500L);
        assertThat(run(StringCommands::set, "set", "t", "v", "EXAT", Long.toString(now / 1000 + 7))).isEqualTo("+OK");
        assertThat(run(KeyCommands::ttl, "ttl", "t")).isEqualTo(7L);
        assertThat(run(KeyCommands::ttl, "ttl", "missing")).isEqualTo(-2L);
    }

    @Test
    void setnxSetexGetsetGetdelGetex() {
        assertThat(run(StringCommands::setnx, "setnx", "k", "1")).isEqualTo(1L);
        assertThat(run(StringCommands::setnx, "setnx", "k", "2")).isEqualTo(0L);
        assertThat(run(StringCommands::setex, "setex", "e", "5", "v")).isEqualTo("+OK");
        assertThat(run(StringCommands::setex, "setex", "e", "-5", "v")).isEqualTo("-ERR invalid expire time in 'setex' command");
        assertThat(run(StringCommands::psetex, "psetex", "e", "1500", "v")).isEqualTo("+OK");
        assertThat(run(KeyCommands::pttl, "pttl", "e")).isEqualTo(1500L);
        assertThat(run(StringCommands::getset, "getset", "e", "new")).isEqualTo("v");
        assertThat(run(KeyCommands::ttl, "ttl", "e")).isEqualTo(-1L);
        assertThat(run(StringCommands::getex, "getex", "e", "EX", "100")).isEqualTo("new");
        assertThat(run(KeyCommands::ttl, "ttl", "e")).isEqualTo(100L);
        assertThat(run(StringCommands::getex, "getex", "e", "PERSIST")).isEqualTo("new");
        assertThat(run(KeyCommands::ttl, "ttl", "e")).isEqualTo(-1L);
        assertThat(run(StringCommands::getex, "getex", "e", "persist", "ex", "1")).isEqualTo("-ERR syntax error");
        assertThat(run(StringCommands::getdel, "getdel", "e")).isEqualTo("new");
        assertThat(run(StringCommands::getdel, "getdel", "e")).isNull();
    }

    @Test
    void counters() {
        assertThat(run(StringCommands::incr, "incr", "n")).isEqualTo(1L);
        assertThat(run(StringCommands::incrby, "incrby", "n", "41")).isEqualTo(42L);
        assertThat(run(StringCommands::decr, "decr", "n")).isEqualTo(41L);
        assertThat(run(StringCommands::decrby, "decrby", "n", "50")).isEqualTo(-9L);
        assertThat(run(StringCommands::incrby, "incrby", "n", "1.5")).isEqualTo("-ERR value is not an integer or out of range");
        run(StringCommands::set, "set", "s", "abc");
        assertThat(run(StringCommands::incr, "incr", "s")).isEqualTo("-ERR value is not an integer or out of range");
        run(StringCommands::set, "set", "z", "007");
        assertThat(run(StringCommands::incr, "incr", "z")).isEqualTo("-ERR value is not an integer or out of range");
        run(StringCommands::set, "set", "max", "9223372036854775807");
        assertThat(run(StringCommands::incr, "incr", "max")).isEqualTo("-ERR increment or decrement would overflow");
        assertThat(run(StringCommands::decrby, "decrby", "max", "-9223372036854775808")).isEqualTo("-ERR decrement would overflow");
        assertThat(run(StringCommands::incrbyfloat, "incrbyfloat", "f", "0.1")).isEqualTo("0.1");
        assertThat(run(StringCommands::incrbyfloat, "incrbyfloat", "f", "0.2")).isEqualTo("0.3");
        assertThat(run(StringCommands::incrbyfloat, "incrbyfloat", "f", "5.0e3")).isEqualTo("5000.3");
        assertThat(run(StringCommands::incrbyfloat, "incrbyfloat", "f", "abc")).isEqualTo("-ERR value is not a valid float");
        // INCR keeps the TTL
        run(StringCommands::set, "set", "ttl", "1", "EX", "100");
        run(StringCommands::incr, "incr", "ttl");
        assertThat(run(KeyCommands::ttl, "ttl", "ttl")).isEqualTo(100L);
    }

    @Test
    void ranges() {
        assertThat(run(StringCommands::append, "append", "s", "Hello")).isEqualTo(5L);
        assertThat(run(StringCommands::append, "append", "s", " World")).isEqualTo(11L);
        assertThat(run(StringCommands::strlen, "strlen", "s")).isEqualTo(11L);
        assertThat(run(StringCommands::getrange, "getrange", "s", "0", "4")).isEqualTo("Hello");
        assertThat(run(StringCommands::getrange, "getrange", "s", "-5", "-1")).isEqualTo("World");
        assertThat(run(StringCommands::getrange, "getrange", "s", "5", "2")).isEqualTo("");
        assertThat(run(StringCommands::getrange, "getrange", "s", "0", "100")).isEqualTo("Hello World");
        assertThat(run(StringCommands::getrange, "getrange", "s", "a", "b")).isEqualTo("-ERR value is not an integer or out of range");
        assertThat(run(StringCommands::setrange, "setrange", "s", "6", "Redis")).isEqualTo(11L);
        assertThat(run(StringCommands::get, "get", "s")).isEqualTo("Hello Redis");
        assertThat(run(StringCommands::setrange, "setrange", "p", "3", "x")).isEqualTo(4L);
        assertThat(run(StringCommands::get, "get", "p")).isEqualTo("\0\0\0x");
        assertThat(run(StringCommands::setrange, "setrange", "q", "0", "")).isEqualTo(0L);
        assertThat(run(StringCommands::setrange, "setrange", "s", "-1", "x")).isEqualTo("-ERR offset is out of range");
        assertThat(run(StringCommands::setrange, "setrange", "s", "536870911", "xx"))
                .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        // Issue 12 row 11 / issue 13: offset + length overflowed a long and reached the array copy.
        assertThat(run(StringCommands::setrange, "setrange", "s", "9223372036854775807", "A"))
                .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        assertThat(run(StringCommands::setrange, "setrange", "fresh", "9223372036854775807", "A"))
                .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        assertThat(run(StringCommands::setrange, "setrange", "s", "9223372036854775808", "A"))
                .isEqualTo("-ERR value is not an integer or out of range");
        assertThat(run(KeyCommands::type, "type", "s")).isEqualTo("+string");
        assertThat(run(KeyCommands::type, "type", "nope")).isEqualTo("+none");
    }

    @Test
    void expireFamily() {
        run(StringCommands::set, "set", "k", "v");
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "nx", "xx"))
                .isEqualTo("-ERR NX and XX, GT or LT options at the same time are not compatible");
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "gt", "lt"))
                .isEqualTo("-ERR GT and LT options at the same time are not compatible");
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "foo")).isEqualTo("-ERR Unsupported option foo");
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "xx")).isEqualTo(0L);
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "gt")).isEqualTo(0L);
        assertThat(run(KeyCommands::expire, "expire", "k", "10", "nx")).isEqualTo(1L);
        assertThat(run(KeyCommands::expire, "expire", "k", "20", "nx")).isEqualTo(0L);
        assertThat(run(KeyCommands::expire, "expire", "k", "5", "gt")).isEqualTo(0L);
        assertThat(run(KeyCommands::expire, "expire", "k", "5", "lt")).isEqualTo(1L);
        assertThat(run(KeyCommands::ttl, "ttl", "k")).isEqualTo(5L);
        assertThat(run(KeyCommands::pexpire, "pexpire", "k", "2500")).isEqualTo(1L);
        assertThat(run(KeyCommands::pttl, "pttl", "k")).isEqualTo(2500L);
        assertThat(run(KeyCommands::expireat, "expireat", "k", Long.toString(now / 1000 + 30))).isEqualTo(1L);
        assertThat(run(KeyCommands::expiretime, "expiretime", "k")).isEqualTo(now / 1000 + 30);
        assertThat(run(KeyCommands::pexpireat, "pexpireat", "k", Long.toString(now + 1234))).isEqualTo(1L);
        assertThat(run(KeyCommands::pexpiretime, "pexpiretime", "k")).isEqualTo(now + 1234);
        assertThat(run(KeyCommands::persist, "persist", "k")).isEqualTo(1L);
        assertThat(run(KeyCommands::persist, "persist", "k")).isEqualTo(0L);
        assertThat(run(KeyCommands::expire, "expire", "k", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'expire' command");
        assertThat(run(KeyCommands::expire, "expire", "missing", "10")).isEqualTo(0L);
        // an expiry in the past deletes the key at once
        assertThat(run(KeyCommands::expire, "expire", "k", "-1")).isEqualTo(1L);
        assertThat(run(StringCommands::get, "get", "k")).isNull();
        // lazy expiry on access
        run(StringCommands::set, "set", "short", "v", "PX", "100");
        now += 100;
        assertThat(run(StringCommands::get, "get", "short")).isNull();
    }

    @Test
    void unknownCommandTextMatchesRedis() {
        byte[][] argv = {"foo".getBytes(), "a".getBytes(), "b".getBytes()};
        assertThat(RespReplies.unknownCommand(argv).reply().content())
                .isEqualTo("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
        assertThat(RespReplies.unknownCommand(new byte[][] {"x\r\ny".getBytes()}).reply().content())
                .isEqualTo("ERR unknown command 'x  y', with args beginning with: ");
        assertThatThrownBy(() -> RespNumbers.requireLong("1 ".getBytes())).isInstanceOf(RespError.class);
        assertThat(RespNumbers.isLong("-9223372036854775808".getBytes())).isTrue();
        assertThat(RespNumbers.isLong("9223372036854775808".getBytes())).isFalse();
        assertThat(RespNumbers.isLong("-0".getBytes())).isFalse();
        assertThat(RespNumbers.isLong("+1".getBytes())).isFalse();
    }

    @Test
    void aKeyOfAnotherTypeGivesWrongTypeToStringCommandsAndWorksWithKeyCommands() {
        io.percore.demo.kv.ValueType hash = io.percore.demo.kv.TestValueTypes.named("hash");
        ks.set("h".getBytes(StandardCharsets.UTF_8), hash, new Object(), ValueStore.NO_EXPIRY);
        String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        assertThat(run(StringCommands::get, "get", "h")).isEqualTo(wrongType);
        assertThat(run(StringCommands::append, "append", "h", "x")).isEqualTo(wrongType);
        assertThat(run(StringCommands::incr, "incr", "h")).isEqualTo(wrongType);
        assertThat(run(StringCommands::strlen, "strlen", "h")).isEqualTo(wrongType);
        assertThat(run(StringCommands::set, "set", "h", "v", "get")).isEqualTo(wrongType);
        assertThat(run(KeyCommands::type, "type", "h")).isEqualTo("+hash");
        assertThat(run(KeyCommands::expire, "expire", "h", "10")).isEqualTo(1L);
        assertThat(run(KeyCommands::ttl, "ttl", "h")).isEqualTo(10L);
        assertThat(run(StringCommands::set, "set", "h", "v")).isEqualTo("+OK"); // SET replaces any type
        assertThat(run(StringCommands::get, "get", "h")).isEqualTo("v");
    }
}
