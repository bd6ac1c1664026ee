package io.percore.demo.scripting;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import org.luaj.vm2.LocVars;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;

/**
 * What a shard's Lua state holds on the JVM heap, estimated by walking what is reachable from its
 * roots (the globals, the compiled scripts, the frames of the script running): Redis's
 * {@code used_memory_vm_eval} ({@code lua_gc(LUA_GCCOUNT)}), which LuaJ, whose values are ordinary
 * Java objects, cannot count as it allocates. Sizes are those of a 64-bit JVM with compressed
 * references (12-byte headers, 4-byte references, 8-byte alignment): a table counts its array part,
 * its hash part and one node per hash entry; a string its object and its bytes. Tables, closures and
 * prototypes are counted once however often they are referenced, so cycles end; strings under
 * {@link #SHARED_STRING_BYTES} are counted at every reference (they are not worth an identity entry;
 * a table referencing one short string a million times is overestimated). The walk costs time in
 * proportion to what it finds; {@link LuaMemory} decides when to walk.
 */
final class LuaHeap {

    /** Strings this long or longer are counted once (their bytes may be shared by many references). */
    static final int SHARED_STRING_BYTES = 64;

    private static final VarHandle TABLE_ARRAY;
    private static final VarHandle TABLE_HASH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(LuaTable.class, MethodHandles.lookup());
            TABLE_ARRAY = lookup.findVarHandle(LuaTable.class, "array", LuaValue[].class);
            Class<?> slots = Class.forName("[Lorg.luaj.vm2.LuaTable$Slot;");
            TABLE_HASH = lookup.findVarHandle(LuaTable.class, "hash", slots);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Object, Boolean> seen = new IdentityHashMap<>();
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private long bytes;

    /** Adds {@code value} and what it reaches. */
    LuaHeap add(LuaValue value) {
        visit(value);
        drain();
        return this;
    }

    /** Adds a frame's registers (a running closure's stack) and what they reach. */
    LuaHeap addStack(LuaValue[] registers) {
        if (registers != null && seen.put(registers, Boolean.TRUE) == null) {
            bytes += array(registers.length);
            for (LuaValue v : registers) {
                visit(v);
            }
            drain();
        }
        return this;
    }

    /** Adds a compiled chunk (a cached script) and its constants. */
    LuaHeap add(Prototype p) {
        visitPrototype(p);
        drain();
        return this;
    }

    long bytes() {
        return bytes;
    }

    /** The estimated bytes of {@code p} alone: what a compiled script adds to its shard's Lua state. */
    static long sizeOf(Prototype p) {
        return new LuaHeap().add(p).bytes();
    }

    private void drain() {
        Object next;
        while ((next = pending.poll()) != null) {
            if (next instanceof LuaTable t) {
                walkTable(t);
            } else if (next instanceof LuaClosure c) {
                walkClosure(c);
            } else if (next instanceof Prototype p) {
                walkPrototype(p);
            } else {
                bytes += 24; // a library function written in Java
            }
        }
    }

    private void visit(LuaValue v) {
        if (v == null) {
            return;
        }
        switch (v.type()) {
            case LuaValue.TSTRING -> {
                LuaString s = (LuaString) v;
                if (s.m_length < SHARED_STRING_BYTES) {
                    bytes += 24 + byteArray(s.m_bytes.length);
                } else if (seen.put(s.m_bytes, Boolean.TRUE) == null) {
                    bytes += 24 + byteArray(s.m_bytes.length);
                } else {
                    bytes += 24;
                }
            }
            case LuaValue.TNUMBER -> bytes += 24;
            case LuaValue.TTABLE, LuaValue.TFUNCTION -> {
                if (seen.put(v, Boolean.TRUE) == null) {
                    pending.add(v);
                }
            }
            case LuaValue.TUSERDATA, LuaValue.TLIGHTUSERDATA, LuaValue.TTHREAD -> {
                if (seen.put(v, Boolean.TRUE) == null) {
                    bytes += 24;
                }
            }
            default -> {
                // nil and the booleans are shared constants
            }
        }
    }

    private void walkTable(LuaTable t) {
        LuaValue[] arrayPart = (LuaValue[]) TABLE_ARRAY.get(t);
        Object[] hashPart = (Object[]) TABLE_HASH.get(t);
        bytes += 40 + array(arrayPart == null ? 0 : arrayPart.length) + array(hashPart == null ? 0 : hashPart.length);
        int arrayLength = arrayPart == null ? 0 : arrayPart.length;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = t.next(k);
            k = next.arg1();
            if (k.isnil()) {
                break;
            }
            if (!(k.isint() && k.toint() >= 1 && k.toint() <= arrayLength)) {
                bytes += 24; // the hash part's node for this entry
                visit(k);
            }
            visit(next.arg(2));
        }
        LuaValue meta = t.getmetatable();
        if (meta != null) {
            visit(meta);
        }
    }

    private void walkClosure(LuaClosure c) {
        bytes += 24;
        UpValue[] upvalues = c.upValues;
        if (upvalues != null) {
            bytes += array(upvalues.length) + 24L * upvalues.length;
            for (UpValue u : upvalues) {
                if (u != null) {
                    visit(u.getValue());
                }
            }
        }
        visitPrototype(c.p);
    }

    private void visitPrototype(Prototype p) {
        if (p != null && seen.put(p, Boolean.TRUE) == null) {
            pending.add(p);
        }
    }

    private void walkPrototype(Prototype p) {
        bytes += 64 + ints(p.code) + ints(p.lineinfo);
        if (p.k != null) {
            bytes += array(p.k.length);
            for (LuaValue k : p.k) {
                visit(k);
            }
        }
        if (p.p != null) {
            bytes += array(p.p.length);
            for (Prototype child : p.p) {
                visitPrototype(child);
            }
        }
        if (p.locvars != null) {
            bytes += array(p.locvars.length);
            for (LocVars v : p.locvars) {
                if (v != null) {
                    bytes += 24;
                    visit(v.varname);
                }
            }
        }
        if (p.upvalues != null) {
            bytes += array(p.upvalues.length) + 24L * p.upvalues.length;
        }
        visit(p.source);
    }

    /** A reference array's heap size. */
    private static long array(int length) {
        return align(16 + 4L * length);
    }

    private static long byteArray(int length) {
        return align(16L + length);
    }

    private static long ints(int[] a) {
        return a == null ? 0 : align(16 + 4L * a.length);
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
