package io.percore.demo.scripting;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code bit} library Redis gives scripts (LuaBitOp 1.0.2): 32-bit operations on Lua numbers,
 * each argument first normalized as LuaBitOp's {@code tobit} does (modulo 2^32, to a signed int).
 */
final class LuaBit {

    private LuaBit() {
    }

    static LuaTable table(LuaRuntime runtime) {
        LuaTable bit = new LuaTable();
        for (String name : new String[] {"tobit", "tohex", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror", "bswap"}) {
            bit.rawset(name, new Op(runtime, name));
        }
        return bit;
    }

    /** LuaBitOp's {@code barg}: the number's value modulo 2^32 as a signed 32-bit integer. */
    static int tobit(CArgs args, int arg) {
        double d = args.number(arg);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return 0;
        }
        double m = d % 4294967296.0;
        return (int) (long) m;
    }

    private static final class Op extends VarArgFunction {
        private final LuaRuntime runtime;
        private final String op;

        Op(LuaRuntime runtime, String op) {
            this.runtime = runtime;
            this.op = op;
        }

        @Override
        public Varargs invoke(Varargs varargs) {
            CArgs args = new CArgs(runtime, this, varargs);
            try {
                return apply(args);
            } catch (org.luaj.vm2.LuaError e) {
                throw args.placed(e);
            }
        }

        private Varargs apply(CArgs args) {
            int a = tobit(args, 1);
            switch (op) {
                case "tobit":
                    return valueOf(a);
                case "bnot":
                    return valueOf(~a);
                case "bswap":
                    return valueOf(Integer.reverseBytes(a));
                case "band": case "bor": case "bxor": {
                    int r = a;
                    for (int i = 2; i <= args.count(); i++) {
                        int b = tobit(args, i);
                        r = op.equals("band") ? r & b : op.equals("bor") ? r | b : r ^ b;
                    }
                    return valueOf(r);
                }
                case "tohex": {
                    int n = args.isNoneOrNil(2) ? 8 : tobit(args, 2);
                    boolean upper = n < 0;
                    if (n < 0) {
                        n = -n;
                    }
                    if (n > 8) {
                        n = 8;
                    }
                    String hex = String.format("%08x", a);
                    hex = hex.substring(8 - n);
                    return valueOf(upper ? hex.toUpperCase() : hex);
                }
                default: {
                    int s = tobit(args, 2) & 31;
                    return valueOf(switch (op) {
                        case "lshift" -> a << s;
                        case "rshift" -> a >>> s;
                        case "arshift" -> a >> s;
                        case "rol" -> Integer.rotateLeft(a, s);
                        default -> Integer.rotateRight(a, s);
                    });
                }
            }
        }
    }
}
