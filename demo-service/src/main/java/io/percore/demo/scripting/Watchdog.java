package io.percore.demo.scripting;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * Counts the instructions of the script running on a shard and looks at it every
 * {@link #CHECK_EVERY} of them: Redis's count hook ({@code luaMaskCountHook}). A check reads the
 * clock, the kill flag ({@code SCRIPT KILL}, {@code FUNCTION KILL}, shutdown) and what the shard's
 * thread has allocated since the script began. Installed as LuaJ's debug library, which its
 * interpreter calls on every instruction of a closure whose environment is the shard's globals;
 * the debug functions themselves are never given to scripts. Calls and returns cost nothing here
 * (no call stack is kept).
 */
final class Watchdog extends DebugLib {

    /** A concatenation this long or longer is checked against the Lua heap's bound before it allocates. */
    static final long LARGE_CONCAT = 64 * 1024;

    /** Instructions between checks: a power of two minus one, as a mask. */
    static final int CHECK_EVERY = 1023;

    /** What runs under the watchdog: a script, or a library's code while FUNCTION LOAD runs it. */
    interface Watched {
        /** The periodic look (kill flag, time, memory). */
        void check();

        /** A string of {@code bytes} is about to be made: refused past what a script may hold. */
        void checkStringSize(long bytes);

        /** The bound on what the Lua state holds. */
        LuaMemory memory();
    }

    private Watched running;
    private int count;
    /** The closures running now and their registers, innermost last: what a CONCAT is about to join. */
    private LuaClosure[] closures = new LuaClosure[64];
    private org.luaj.vm2.LuaValue[][] registers = new org.luaj.vm2.LuaValue[64][];
    private int depth;
    /** The instruction the script ran last: where a Java function called in a tail call raised its error. */
    private org.luaj.vm2.Prototype lastPrototype;
    private int lastPc;

    void watch(Watched run) {
        this.running = run;
        this.count = 0;
        this.depth = 0;
        this.lastPrototype = null;
    }

    void stop() {
        this.running = null;
    }

    @Override
    public void onCall(LuaFunction f) {
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, org.luaj.vm2.LuaValue[] stack) {
        if (depth == closures.length) {
            closures = java.util.Arrays.copyOf(closures, depth * 2);
            registers = java.util.Arrays.copyOf(registers, depth * 2);
        }
        closures[depth] = c;
        registers[depth++] = stack;
    }

    @Override
    public void onReturn() {
        if (depth > 0) {
            // kept until the next return: a tail call runs its function after its caller's frame returned
            returnedClosure = closures[--depth];
            returnedRegisters = registers[depth];
            closures[depth] = null;
            registers[depth] = null;
        }
    }

    /** The frame that returned last, and its registers. */
    private LuaClosure returnedClosure;
    private LuaValue[] returnedRegisters;

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        if (depth > 0) {
            org.luaj.vm2.Prototype p = closures[depth - 1].p;
            lastPrototype = p;
            lastPc = pc;
            int instruction = p.code[pc];
            if ((instruction & 0x3f) == Lua.OP_CONCAT) {
                guardConcat(registers[depth - 1], Lua.GETARG_B(instruction), Lua.GETARG_C(instruction));
            }
        }
        if ((++count & CHECK_EVERY) == 0) {
            Watched run = running;
            if (run != null) {
                run.check();
            }
        }
    }

    /**
     * A CONCAT about to make a string longer than a script may hold is refused before the bytes are
     * allocated: doubling a string in a loop reaches gigabytes in a few dozen instructions, too fast
     * for the periodic check.
     */
    private void guardConcat(org.luaj.vm2.LuaValue[] regs, int from, int to) {
        Watched run = running;
        if (run == null || regs == null) {
            return;
        }
        long total = 0;
        boolean plain = true;
        boolean fractions = false;
        for (int r = from; r <= to && r < regs.length; r++) {
            org.luaj.vm2.LuaValue value = regs[r];
            if (value != null && value.type() == org.luaj.vm2.LuaValue.TSTRING) {
                total += ((org.luaj.vm2.LuaString) value).m_length;
            } else if (value != null && value.type() == org.luaj.vm2.LuaValue.TNUMBER) {
                fractions |= !(value instanceof org.luaj.vm2.LuaInteger);
            } else {
                plain = false; // a __concat metamethod will see the operands as they are
            }
        }
        if (fractions && plain) {
            // LuaJ writes a non-integer number as Java's Float.toString (3.0E-4); Lua 5.1 as %.14g (0.0003).
            // The operands of CONCAT are the compiler's temporaries, so they can be given as strings.
            for (int r = from; r <= to && r < regs.length; r++) {
                if (regs[r].type() == org.luaj.vm2.LuaValue.TNUMBER && !(regs[r] instanceof org.luaj.vm2.LuaInteger)) {
                    regs[r] = org.luaj.vm2.LuaValue.valueOf(LuaNumbers.format(regs[r].todouble()));
                }
            }
        }
        run.checkStringSize(total);
        if (total >= LARGE_CONCAT) {
            run.memory().checkAllocation(total);
        }
    }

    /** Adds the running closures and their registers to {@code heap} (the roots of what a running script holds). */
    void addFramesTo(LuaHeap heap) {
        for (int i = 0; i < depth; i++) {
            heap.add(closures[i]);
            heap.addStack(registers[i]);
        }
    }

    /**
     * The name a Java function (a library's C function in Redis's Lua) was called by, for its
     * argument errors as Lua's {@code luaL_argerror} names it: the field or method name when the
     * script's last instruction called {@code function} itself ({@code bit.band(x)}: band), else
     * null (Lua's {@code ?}: called from another Java function such as pcall, or through a local).
     */
    String calledAs(LuaValue function) {
        LuaValue[] regs = callerRegisters(function);
        if (regs == null) {
            return null;
        }
        org.luaj.vm2.Prototype p = lastPrototype;
        int a = Lua.GETARG_A(p.code[lastPc]);
        for (int pc = lastPc - 1; pc >= 0; pc--) {
            int i = p.code[pc];
            int o = i & 0x3f;
            if (!Lua.testAMode(o) || Lua.GETARG_A(i) != a) {
                continue;
            }
            if ((o == Lua.OP_GETTABLE || o == Lua.OP_GETTABUP || o == Lua.OP_SELF) && Lua.ISK(Lua.GETARG_C(i))) {
                LuaValue key = p.k[Lua.INDEXK(Lua.GETARG_C(i))];
                return key.isstring() ? key.tojstring() : null;
            }
            return null;
        }
        return null;
    }

    /**
     * The registers of the frame whose last instruction called {@code function} (a CALL, or a
     * TAILCALL whose frame has returned already), or null when no script instruction called it.
     */
    private LuaValue[] callerRegisters(LuaValue function) {
        if (lastPrototype == null) {
            return null;
        }
        int call = lastPrototype.code[lastPc];
        int op = call & 0x3f;
        LuaValue[] regs;
        if (op == Lua.OP_CALL && depth > 0 && closures[depth - 1].p == lastPrototype) {
            regs = registers[depth - 1];
        } else if (op == Lua.OP_TAILCALL && returnedClosure != null && returnedClosure.p == lastPrototype) {
            regs = returnedRegisters;
        } else {
            return null;
        }
        int a = Lua.GETARG_A(call);
        return regs != null && a < regs.length && regs[a] == function ? regs : null;
    }

    /** Whether {@code function} runs because the script's last instruction tail-called it (its caller's frame is gone). */
    boolean tailCalled(LuaValue function) {
        return lastPrototype != null && (lastPrototype.code[lastPc] & 0x3f) == Lua.OP_TAILCALL && callerRegisters(function) != null;
    }

    private static final java.util.regex.Pattern CALL_ERROR =
            java.util.regex.Pattern.compile("^(?:([^\\s:]+:(?:\\d+|\\?)) )?attempt to call (\\w+)$", java.util.regex.Pattern.DOTALL);

    /**
     * LuaJ says {@code attempt to call nil} where Lua 5.1 names what was called ({@code attempt to
     * call field 'f' (a nil value)}, {@code ... global 'g' ...}, or {@code attempt to call a nil
     * value}): an error that the script's last instruction raised by calling what is no function,
     * in Lua 5.1's words; any other error as it is.
     */
    LuaError inLua51Words(LuaError e) {
        org.luaj.vm2.Prototype p = lastPrototype;
        String message = e.getMessage();
        if (p == null || message == null || e.getMessageObject() == null || !e.getMessageObject().isstring()) {
            return e;
        }
        java.util.regex.Matcher m = CALL_ERROR.matcher(message.endsWith("\n") ? message.substring(0, message.length() - 1) : message);
        int call = p.code[lastPc];
        if (!m.matches() || ((call & 0x3f) != Lua.OP_CALL && (call & 0x3f) != Lua.OP_TAILCALL)) {
            return e;
        }
        String called = calledName(p, lastPc, Lua.GETARG_A(call));
        String type = m.group(2);
        // a tail call's error is raised past its frame, so LuaJ gives it no position: the instruction's
        String[] at = lastPosition();
        String position = m.group(1) != null ? m.group(1) : at == null ? "?:?" : at[0] + ":" + at[1];
        return new LuaError(position + " attempt to call " + (called == null ? "a " + type + " value" : called + " (a " + type + " value)"));
    }

    /** What Lua 5.1's {@code getobjname} calls register {@code reg} at {@code pc}: {@code global 'x'}, {@code field 'x'}, ..., or null. */
    private static String calledName(org.luaj.vm2.Prototype p, int pc, int reg) {
        org.luaj.vm2.LuaString local = p.getlocalname(reg + 1, pc);
        if (local != null) {
            return "local '" + local.tojstring() + "'";
        }
        for (int at = pc - 1; at >= 0; at--) {
            int i = p.code[at];
            int o = i & 0x3f;
            if (!Lua.testAMode(o) || Lua.GETARG_A(i) != reg) {
                continue;
            }
            int b = Lua.GETARG_B(i);
            int c = Lua.GETARG_C(i);
            // Lua 5.1's kname: a key that is no constant string is '?'
            String key = Lua.ISK(c) && p.k[Lua.INDEXK(c)].type() == LuaValue.TSTRING ? p.k[Lua.INDEXK(c)].tojstring() : "?";
            switch (o) {
                case Lua.OP_GETTABUP:
                    boolean globals = b < p.upvalues.length && p.upvalues[b].name != null && p.upvalues[b].name.tojstring().equals("_ENV");
                    return (globals ? "global '" : "field '") + key + "'";
                case Lua.OP_GETTABLE:
                    return "field '" + key + "'";
                case Lua.OP_SELF:
                    return "method '" + key + "'";
                case Lua.OP_GETUPVAL:
                    return b < p.upvalues.length && p.upvalues[b].name != null ? "upvalue '" + p.upvalues[b].name.tojstring() + "'" : null;
                case Lua.OP_MOVE:
                    org.luaj.vm2.LuaString from = b < reg ? p.getlocalname(b + 1, at) : null;
                    return from == null ? null : "local '" + from.tojstring() + "'";
                default:
                    return null;
            }
        }
        return null;
    }

    /** {@code {source, line}} of the instruction the script ran last, or null before any. */
    String[] lastPosition() {
        org.luaj.vm2.Prototype p = lastPrototype;
        if (p == null || p.lineinfo == null || lastPc < 0 || lastPc >= p.lineinfo.length) {
            return null;
        }
        return new String[] {p.source.tojstring(), Integer.toString(p.lineinfo[lastPc])};
    }

    @Override
    public String traceback(int level) {
        return "";
    }
}
