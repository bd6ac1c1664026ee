package io.percore.demo.scripting;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: the libraries Redis's Lua has in C (cjson, cmsgpack, struct, bit) compared with
 * redis-server 7.0.15 on a table of inputs, in RESP2 and RESP3: outputs byte for byte (packed
 * bytes shown as hex), settings, errors with their texts, positions and function names (called
 * directly, tail-called, through pcall), key order of encoded objects and maps, number formats.
 */
class ScriptLibrariesParityTest {

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** A script that returns {@code expression}'s bytes as hex (packed data is binary). */
    private static String hex(String expression) {
        return "local e = " + expression + " local h = '' for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end return h";
    }

    private static void same(List<String> scripts) throws IOException {
        String[][] commands = new String[scripts.size()][];
        for (int i = 0; i < scripts.size(); i++) {
            commands[i] = new String[] {"EVAL", scripts.get(i), "0"};
        }
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, reply -> reply));
    }

    @Test
    void cjsonEncodesAndDecodesAsRedis() throws IOException {
        List<String> s = new ArrayList<>(List.of(
                "return cjson.encode({a=1,b=2,c=3})", "return cjson.encode({x=1,y={1,2,3},z={p='q'}})",
                "return cjson.encode({s1='Some string', n1=100, a1={'Some','String','Array'}, b1=true, b2=false})",
                "return cjson.encode({one='one', [1]='one'})", "return cjson.encode({[1]='a', [2]='b', [4]='d'})",
                "return cjson.encode({1,2,nil,4})", "return cjson.encode({})", "return cjson.encode({{}, {{}}})",
                "return cjson.encode({1.5, 1e20, 1/3, 123456789012345, -7, 2^53, 0.1, 1e-7, 5e-324, 1.7976931348623157e308})",
                "return cjson.encode('a/b\\\\\"\\1\\8\\9\\10\\12\\13\\31\\127\\200\\255')", "return cjson.encode(cjson.null)",
                "return cjson.encode({cjson.null, true, false})", "return cjson.encode(nil)", "return cjson.encode(12)",
                "return cjson.encode({[1.5]='x'})", "return cjson.encode({[-1]='x', [0]='y'})",
                "return cjson.encode({key='v', other={nested={deep={1, {2, {3}}}}}})",
                // keys sharing a main position: Lua 5.1's order then depends on the insertion order, which LuaJ's tables forget;
                // compared as sets (the README's known differences)
                "local t = cjson.decode(cjson.encode({aaaa=1, bbbb=2, cccc=3, dddd=4, eeee=5, ffff=6, gggg=7, hhhh=8, iiii=9})) "
                        + "local k = {} for key, v in pairs(t) do k[#k + 1] = key .. v end table.sort(k) return k",
                "return cjson.encode({name='job', data='{}', opts={attempts=3, delay=0}, timestamp=1700000000000})",
                "return {pcall(cjson.encode, {[1]=1,[100]=2})}", "return {pcall(cjson.encode, {[true]=1})}",
                "return {pcall(cjson.encode, {f=print})}", "return {pcall(cjson.encode, 0/0)}", "return {pcall(cjson.encode, {1/0})}",
                "return {pcall(cjson.encode)}", "return {pcall(cjson.encode, 1, 2)}", "return cjson.encode()",
                "return cjson.encode({function() end})", "local x = cjson.encode({-1/0}) return x",
                "return cjson.decode('[1, 2, 3]')[2]", "return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')",
                "local d = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}') return {d.keya, d.keyb}",
                "return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":null}],\"c\":\"\\\\u0041\"}'))",
                "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\\\/\"')", "return cjson.decode('  \"x\"  ')",
                "return type(cjson.decode('null'))", "return cjson.decode('null') == cjson.null", "return tostring(cjson.null)",
                "return {cjson.decode('true'), cjson.decode('false')}", "return cjson.decode('01')", "return cjson.decode('0x10')",
                "return tostring(cjson.decode('-inf'))", "return cjson.decode('[1]\\0garbage')[1]",
                "return {pcall(cjson.decode, '[1,')}", "return {pcall(cjson.decode, '{\"a\":}')}", "return {pcall(cjson.decode, '[1e]')}",
                "return {pcall(cjson.decode, '[[[[')}", "return {pcall(cjson.decode, '{1:2}')}", "return {pcall(cjson.decode, '{\"a\" 2}')}",
                "return {pcall(cjson.decode, '[1 2]')}", "return {pcall(cjson.decode, 'nul')}", "return {pcall(cjson.decode, '\"abc')}",
                "return {pcall(cjson.decode, '\"\\\\q\"')}", "return {pcall(cjson.decode, '\"\\\\u12\"')}",
                "return {pcall(cjson.decode, '\"\\\\udc00\"')}", "return {pcall(cjson.decode, '\\0a')}", "return {pcall(cjson.decode, '')}",
                "return {pcall(cjson.decode, '[] x')}", "return {pcall(cjson.decode)}", "return cjson.decode('[1,')",
                "return {pcall(cjson.decode, {})}",
                "return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()}",
                "return {cjson.encode_keep_buffer(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()}",
                "return {cjson.encode_sparse_array()}",
                "return {pcall(cjson.encode_max_depth, 'x')}", "return {pcall(cjson.encode_max_depth, 0)}",
                "return {pcall(cjson.encode_keep_buffer, 'x')}", "return {pcall(cjson.encode_number_precision, 15)}",
                "return {pcall(cjson.encode_max_depth, 1, 2)}",
                "cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{{1}}}) cjson.encode_max_depth(1000) return {tostring(ok), e}",
                "cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, '[[1]]') cjson.decode_max_depth(1000) return {tostring(ok), e}",
                "cjson.encode_number_precision(3) local x = cjson.encode({1/3, 12345}) cjson.encode_number_precision(14) return x",
                "cjson.encode_invalid_numbers(true) local x = cjson.encode({1/0, -1/0, 0/0}) cjson.encode_invalid_numbers(false) return x",
                "cjson.encode_invalid_numbers('null') local x = cjson.encode({1/0}) cjson.encode_invalid_numbers('off') return x",
                "cjson.encode_sparse_array(true) local x = cjson.encode({[1]=1,[100]=2}) cjson.encode_sparse_array(false) return x",
                "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '01') cjson.decode_invalid_numbers(true) return e",
                "local c = cjson.new() c.encode_max_depth(1) return {c.encode({1}), pcall(c.encode, {{1}})}",
                "return {cjson._NAME, cjson._VERSION}", "cjson.encode = nil"));
        same(s);
    }

    @Test
    void cmsgpackPacksAndUnpacksAsRedis() throws IOException {
        List<String> s = new ArrayList<>(List.of(
                hex("cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -32, -33, -128, -129, -32768, -32769)"),
                hex("cmsgpack.pack(-2147483648, -2147483649, 2^63, -2^63, 2^64, 0.5, 0.1, 1e300, 1/0, -1/0, 3.5)"),
                hex("cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('x', 32), string.rep('y', 255), string.rep('z', 256))"),
                hex("cmsgpack.pack(true, false, nil, cjson.null, print)"), hex("cmsgpack.pack({}, {1,2,3}, {a=1}, {1, nil, 3})"),
                hex("cmsgpack.pack({[1]=1, [2]=2, [4]=4}, {[0]=1}, {[1.5]=1}, {x=1, y=2, z=3})"),
                "local t = cmsgpack.unpack(cmsgpack.pack({aaaa=1, bbbb=2, cccc=3, dddd=4, eeee=5, ffff=6, gggg=7, hhhh=8, iiii=9, jjjj=10})) "
                        + "local k = {} for key, v in pairs(t) do k[#k + 1] = key .. v end table.sort(k) return k",
                hex("(function() local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t) end)()"),
                "local t = {} for i = 1, 17 do t['k' .. i] = i end t = cmsgpack.unpack(cmsgpack.pack(t)) "
                        + "local k = {} for key, v in pairs(t) do k[#k + 1] = key .. v end table.sort(k) return k",
                "local a = {x=nil,y=5} local b = {x=a} a['x'] = b " + hex("cmsgpack.pack(a)"),
                "return {cmsgpack.unpack(cmsgpack.pack({1,2,3}, {a=1}, 'x', 1.5, -1099511627776))}",
                "return {cmsgpack.unpack_one(cmsgpack.pack(1,2), 0)}", "return {cmsgpack.unpack_one(cmsgpack.pack(1,2), 1)}",
                "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2, 0)}", "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 0, 0)}",
                "return {cmsgpack.unpack('')}", "return {cmsgpack.unpack('\\204\\1', '\\205\\1\\2')}",
                "return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')}",
                "return {cmsgpack.unpack('\\211\\128\\0\\0\\0\\0\\0\\0\\1')}", "return {cmsgpack.unpack('\\202\\63\\192\\0\\0')}",
                "return {pcall(cmsgpack.unpack, '\\204')}", "return {pcall(cmsgpack.unpack, '\\193')}",
                "return {pcall(cmsgpack.unpack, '\\196\\1a')}", "return {pcall(cmsgpack.unpack, '\\212\\1\\1')}",
                "return {pcall(cmsgpack.unpack, '\\147\\1')}", "return {pcall(cmsgpack.pack)}", "return cmsgpack.pack()",
                "return {pcall(cmsgpack.unpack_limit, 'x', -1)}", "return {pcall(cmsgpack.unpack_one, 'x', 5)}",
                "return {pcall(cmsgpack.unpack, {})}", "return {pcall(cmsgpack.unpack_limit, 'x')}",
                "return {cmsgpack._NAME, cmsgpack._VERSION}"));
        same(s);
    }

    @Test
    void structAndBitAsRedis() throws IOException {
        List<String> s = new ArrayList<>(List.of(
                hex("struct.pack('>i4<h!4bd', 1, -2, 3, 1.5)"), hex("struct.pack('!8bd', 1, 2)"), hex("struct.pack('bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7)"),
                hex("struct.pack('>I3i16', 70000, -1)"), hex("struct.pack('c5s', 'abcdefg', 'hi')"), hex("struct.pack('c0', 'whole')"),
                hex("struct.pack('fd', 0.1, 0.1)"), hex("struct.pack('x >l', 2^62)"), hex("struct.pack('i', 3.7)"), hex("struct.pack('i', -3.7)"),
                hex("struct.pack('i', '42')"), hex("struct.pack('L', 2^64 + 4096)"), hex("struct.pack('!2 b h b i', 1, 2, 3, 4)"),
                "return {struct.unpack('<i2Bc3s', struct.pack('<i2Bc3s', -300, 200, 'abc', 'hi'))}",
                "return {struct.unpack('>i4', struct.pack('>i4', -7))}", "return {struct.unpack('I16', string.rep('\\255', 16))}",
                "return {struct.unpack('i16', string.rep('\\255', 16))}", "return {struct.unpack('bc0', struct.pack('bc0', 2, 'xy'))}",
                "return {struct.unpack('d', struct.pack('d', 1/3))}", "return {struct.unpack('b', '\\1\\2\\3', 2)}",
                "return {struct.unpack('>H', '\\1\\2')}", "return {struct.unpack('s', 'ab\\0cd')}",
                "return struct.size('i4hbd')", "return struct.size('!8bd')", "return struct.size('>zz')",
                "return {pcall(struct.size, 's')}", "return {pcall(struct.size, 'c0')}", "return struct.pack('z')",
                "return {pcall(struct.pack, 'i')}", "return {pcall(struct.pack, 'ii', 1)}", "return {pcall(struct.pack, 'c5', 'abc')}",
                "return {pcall(struct.pack, 'i33', 1)}", "return {pcall(struct.pack, '!3', 1)}", "return {pcall(struct.pack, 'i', {})}",
                "return {pcall(struct.unpack, 'i', 'ab')}", "return {pcall(struct.unpack, 'c0', 'abc')}",
                "return {pcall(struct.unpack, 's', 'abc')}", "return {pcall(struct.unpack, 'b', 'a', 0)}", "return {pcall(struct.pack)}",
                "return {bit.band(7, 3), bit.bor(1, 2), bit.bxor(5, 1), bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-16, 2)}",
                "return {bit.tohex(255), bit.tohex(-1, -4), bit.bnot(0), bit.tobit(2^32 + 5), bit.rol(1, 33), bit.bswap(1)}",
                "return bit.band('x')", "return {pcall(bit.band, 'x')}", "local x = bit.band('x')", "return bit.band()",
                "return {pcall(bit.bor, 1, nil)}"));
        same(s);
    }

    @Test
    void numbersInConcatenationAndTableConcatAreLuas() throws IOException {
        same(List.of("return 'x' .. 0.0003 .. 1/3 .. 1e20 .. -2.5 .. 2^63 .. 0.1", "return table.concat({1, 2.5, 'a', 1e15, 1e16}, '-')",
                "return {pcall(table.concat, {{}})}", "return table.concat({{}})", "return table.concat({1,2,3}, ',', 2)",
                "return table.concat({1,2,3}, ',', 2, 5)", "return table.concat({}, 'x')", "return {pcall(table.concat, 'x')}"));
    }
}
