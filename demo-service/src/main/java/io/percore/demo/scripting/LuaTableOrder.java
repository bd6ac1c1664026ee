package io.percore.demo.scripting;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The order in which Redis's Lua (PUC Lua 5.1) would walk a table's keys with {@code next}, which
 * is the order cjson.encode writes an object's members and cmsgpack.pack a map's: the array part
 * in index order, then the hash part's nodes in position order. LuaJ keeps its tables otherwise, so
 * this lays the keys out again as Lua 5.1 would: the same array part (LuaJ sizes it by Lua's rules),
 * a node array of the same power-of-two size, each key at its main position (Redis's string hash,
 * over every byte; Lua 5.1's number and boolean hashes), a collision resolved as {@code luaH_newkey}
 * does (the free slot searched from the top, a colliding key out of its main position moved away).
 * Keys are placed in the order LuaJ gives them: the result is Lua 5.1's whenever no two keys share a
 * main position, and may differ from it when they do (Lua's layout then depends on the order in
 * which the keys were inserted, which a table does not remember). Keys that are tables, functions
 * or userdata (hashed by address in Lua) go last.
 */
final class LuaTableOrder {

    private static final VarHandle TABLE_ARRAY;
    private static final VarHandle TABLE_HASH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(LuaTable.class, MethodHandles.lookup());
            TABLE_ARRAY = lookup.findVarHandle(LuaTable.class, "array", LuaValue[].class);
            TABLE_HASH = lookup.findVarHandle(LuaTable.class, "hash", Class.forName("[Lorg.luaj.vm2.LuaTable$Slot;"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LuaTableOrder() {
    }

    /** {@code t}'s keys in Lua 5.1's {@code next} order (values are read with {@code rawget}). */
    static List<LuaValue> keys(LuaTable t) {
        LuaValue[] arrayPart = (LuaValue[]) TABLE_ARRAY.get(t);
        Object[] hashPart = (Object[]) TABLE_HASH.get(t);
        int arraySize = arrayPart == null ? 0 : arrayPart.length;
        List<LuaValue> arrayKeys = new ArrayList<>();
        List<LuaValue> hashKeys = new ArrayList<>();
        List<LuaValue> addressKeys = new ArrayList<>();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = t.next(k);
            k = next.arg1();
            if (k.isnil()) {
                break;
            }
            if (k.isinttype() && k.toint() >= 1 && k.toint() <= arraySize) {
                arrayKeys.add(k);
            } else if (k.type() == LuaValue.TSTRING || k.type() == LuaValue.TNUMBER || k.type() == LuaValue.TBOOLEAN) {
                hashKeys.add(k);
            } else {
                addressKeys.add(k);
            }
        }
        arrayKeys.sort((a, b) -> Integer.compare(a.toint(), b.toint()));
        List<LuaValue> ordered = new ArrayList<>(arrayKeys.size() + hashKeys.size() + addressKeys.size());
        ordered.addAll(arrayKeys);
        if (!hashKeys.isEmpty()) {
            // LuaJ sizes its hash part as Lua 5.1 sizes its node array (a power of two, from the constructor or a rehash)
            int size = 1;
            while (size < hashKeys.size()) {
                size <<= 1;
            }
            int luaj = hashPart == null ? 0 : hashPart.length;
            if (luaj > size && Integer.bitCount(luaj) == 1) {
                size = luaj;
            }
            ordered.addAll(layOut(hashKeys, size));
        }
        ordered.addAll(addressKeys);
        return ordered;
    }

    /** Lua 5.1's node array of {@code size} (a power of two) after inserting {@code keys} in turn: its keys in position order. */
    private static List<LuaValue> layOut(List<LuaValue> keys, int size) {
        LuaValue[] node = new LuaValue[size];
        int[] next = new int[size];
        java.util.Arrays.fill(next, -1);
        int lastFree = size;
        for (LuaValue key : keys) {
            int mp = mainPosition(key, size);
            if (node[mp] != null) {
                int free = -1;
                while (lastFree-- > 0) {
                    if (node[lastFree] == null) {
                        free = lastFree;
                        break;
                    }
                }
                if (free < 0) {
                    break; // cannot happen: size holds every key
                }
                int other = mainPosition(node[mp], size);
                if (other != mp) {
                    // the colliding key is not in its own main position: it moves to the free slot
                    while (next[other] != mp) {
                        other = next[other];
                    }
                    next[other] = free;
                    node[free] = node[mp];
                    next[free] = next[mp];
                    next[mp] = -1;
                    node[mp] = null;
                } else {
                    next[free] = next[mp];
                    next[mp] = free;
                    mp = free;
                }
            }
            node[mp] = key;
        }
        List<LuaValue> out = new ArrayList<>(keys.size());
        for (LuaValue key : node) {
            if (key != null) {
                out.add(key);
            }
        }
        return out;
    }

    static int mainPosition(LuaValue key, int size) {
        switch (key.type()) {
            case LuaValue.TSTRING: {
                LuaString s = (LuaString) key;
                return stringHash(s.m_bytes, s.m_offset, s.m_length) & (size - 1);
            }
            case LuaValue.TNUMBER: {
                double n = key.todouble();
                if (n == 0) {
                    return 0;
                }
                long bits = Double.doubleToRawLongBits(n);
                int sum = (int) bits + (int) (bits >>> 32);
                return (int) (Integer.toUnsignedLong(sum) % ((size - 1) | 1));
            }
            case LuaValue.TBOOLEAN:
                return (key.toboolean() ? 1 : 0) & (size - 1);
            default:
                return 0;
        }
    }

    /** Redis's Lua string hash ({@code luaS_newlstr}, every byte hashed): unsigned 32-bit arithmetic. */
    static int stringHash(byte[] bytes, int offset, int length) {
        int h = length;
        for (int i = length; i >= 1; i--) {
            h = h ^ ((h << 5) + (h >>> 2) + (bytes[offset + i - 1] & 0xff));
        }
        return h;
    }

    static int stringHash(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return stringHash(b, 0, b.length);
    }
}
