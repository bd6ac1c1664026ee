package io.percore.demo.scripting;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.Lua;
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

    private ScriptRun running;
    private int count;
    /** The closures running now and their registers, innermost last: what a CONCAT is about to join. */
    private LuaClosure[] closures = new LuaClosure[64];
    private org.luaj.vm2.LuaValue[][] registers = new org.luaj.vm2.LuaValue[64][];
    private int depth;
    /** The instruction the script ran last: where a Java function called in a tail call raised its error. */
    private org.luaj.vm2.Prototype lastPrototype;
    private int lastPc;

    void watch(ScriptRun run) {
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
            closures[--depth] = null;
            registers[depth] = null;
        }
    }

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
            ScriptRun run = running;
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
        ScriptRun run = running;
        if (run == null || regs == null) {
            return;
        }
        long total = 0;
        for (int r = from; r <= to && r < regs.length; r++) {
            org.luaj.vm2.LuaValue value = regs[r];
            if (value != null && value.type() == org.luaj.vm2.LuaValue.TSTRING) {
                total += ((org.luaj.vm2.LuaString) value).m_length;
            }
        }
        run.checkStringSize(total);
        if (total >= LARGE_CONCAT) {
            run.memory.checkAllocation(total);
        }
    }

    /** Adds the running closures and their registers to {@code heap} (the roots of what a running script holds). */
    void addFramesTo(LuaHeap heap) {
        for (int i = 0; i < depth; i++) {
            heap.add(closures[i]);
            heap.addStack(registers[i]);
        }
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
