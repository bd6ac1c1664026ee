package io.percore.demo.scripting;

import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} table scripts get (Redis 7.0's {@code luaRegisterRedisAPI}): {@code call},
 * {@code pcall}, {@code sha1hex}, {@code error_reply}, {@code status_reply}, {@code log} and its
 * levels, {@code setresp}, {@code set_repl} and its flags, {@code replicate_commands},
 * {@code breakpoint}, {@code debug}, {@code acl_check_cmd}, {@code REDIS_VERSION(_NUM)}. Each acts on
 * the script running on the shard ({@link LuaRuntime#running}), with Redis's argument checks and
 * error texts.
 */
final class RedisLuaApi {

    static final Logger SCRIPT_LOG = LoggerFactory.getLogger("io.percore.demo.scripting.ScriptLog");

    /** Redis 7.0.15's version, as its {@code redis.REDIS_VERSION} reports it (the server's INFO says the same). */
    static final String REDIS_VERSION = "7.0.15";
    static final int REDIS_VERSION_NUM = 0x07000f;

    private RedisLuaApi() {
    }

    static LuaTable table(LuaRuntime runtime) {
        LuaTable redis = new LuaTable();
        redis.rawset("call", new Call(runtime, true));
        redis.rawset("pcall", new Call(runtime, false));
        redis.rawset("sha1hex", new Sha1Hex());
        redis.rawset("error_reply", new ErrorReply());
        redis.rawset("status_reply", new StatusReply());
        redis.rawset("log", new Log());
        redis.rawset("LOG_DEBUG", LuaValue.valueOf(0));
        redis.rawset("LOG_VERBOSE", LuaValue.valueOf(1));
        redis.rawset("LOG_NOTICE", LuaValue.valueOf(2));
        redis.rawset("LOG_WARNING", LuaValue.valueOf(3));
        redis.rawset("setresp", new SetResp(runtime));
        redis.rawset("set_repl", new SetRepl(runtime));
        redis.rawset("replicate_commands", new Constant(LuaValue.TRUE));
        redis.rawset("breakpoint", new Constant(LuaValue.FALSE));
        redis.rawset("debug", new Constant(LuaValue.NIL));
        redis.rawset("acl_check_cmd", new AclCheck(runtime));
        redis.rawset("REPL_NONE", LuaValue.valueOf(0));
        redis.rawset("REPL_AOF", LuaValue.valueOf(1));
        redis.rawset("REPL_SLAVE", LuaValue.valueOf(2));
        redis.rawset("REPL_REPLICA", LuaValue.valueOf(2));
        redis.rawset("REPL_ALL", LuaValue.valueOf(3));
        redis.rawset("REDIS_VERSION", LuaValue.valueOf(REDIS_VERSION));
        redis.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(REDIS_VERSION_NUM));
        return redis;
    }

    static ScriptRun running(LuaRuntime runtime, String what) {
        ScriptRun run = runtime.running;
        if (run == null) {
            throw new LuaError(ScriptErrors.errorTable(what + " can only be called inside a script invocation"));
        }
        return run;
    }

    /** Redis's {@code luaArgsToRedisArgv}: strings as they are, numbers as {@code %.17g}, anything else refused (null). */
    static byte[][] argv(Varargs args) {
        int n = args.narg();
        byte[][] argv = new byte[n][];
        for (int i = 0; i < n; i++) {
            LuaValue v = args.arg(i + 1);
            if (v.type() == LuaValue.TNUMBER) {
                argv[i] = LuaNumbers.formatG(v.todouble(), 17, false, false).getBytes(StandardCharsets.US_ASCII);
            } else if (v.type() == LuaValue.TSTRING) {
                argv[i] = LuaReplies.bytesOf((LuaString) v);
            } else {
                return null;
            }
        }
        return argv;
    }

    /** {@code redis.call} (raising) and {@code redis.pcall} (returning the error table). */
    private static final class Call extends VarArgFunction {
        private final LuaRuntime runtime;
        private final boolean raise;

        Call(LuaRuntime runtime, boolean raise) {
            this.runtime = runtime;
            this.raise = raise;
        }

        @Override
        public Varargs invoke(Varargs args) {
            ScriptRun run = running(runtime, "redis.call/pcall");
            LuaValue result;
            if (args.narg() == 0) {
                result = ScriptErrors.errorTable("Please specify at least one argument for this redis lib call");
            } else {
                byte[][] argv = argv(args);
                result = argv == null ? ScriptErrors.errorTable("Lua redis lib command arguments must be strings or integers")
                        : run.call(argv);
            }
            if (raise && result.istable() && result.rawget(LuaReplies.ERR).isstring()) {
                // Redis's error handler adds where the script called: kept in the table, as a tail call leaves no frame
                String[] where = runtime.watchdog.lastPosition();
                if (where != null) {
                    LuaTable t = (LuaTable) result;
                    t.rawset(LuaReplies.SOURCE, LuaValue.valueOf(where[0]));
                    t.rawset(LuaReplies.LINE, LuaValue.valueOf(where[1]));
                }
                throw new LuaError(result);
            }
            return result;
        }
    }

    private static final class Sha1Hex extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (args.narg() != 1) {
                throw new LuaError(ScriptErrors.errorTable("wrong number of arguments"));
            }
            LuaValue v = args.arg1();
            byte[] bytes = v.isstring() ? LuaReplies.bytesOf(v.checkstring()) : new byte[0];
            return valueOf(Scripts.sha1hex(bytes));
        }
    }

    private static final class ErrorReply extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
                return ScriptErrors.errorTable("wrong number or type of arguments");
            }
            String err = ScriptErrors.text(args.arg1());
            return ScriptErrors.errorTable(err.startsWith("-") ? err : "-" + err);
        }
    }

    private static final class StatusReply extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
                return ScriptErrors.errorTable("wrong number or type of arguments");
            }
            return LuaReplies.single(LuaReplies.OK, args.arg1());
        }
    }

    /** {@code redis.log(level, ...)}: the server's log at that level (DEBUG, VERBOSE, NOTICE, WARNING). */
    private static final class Log extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            int argc = args.narg();
            if (argc < 2) {
                throw new LuaError(ScriptErrors.errorTable("redis.log() requires two arguments or more."));
            }
            if (args.arg1().type() != LuaValue.TNUMBER && !(args.arg1().isstring() && LuaNumbers.parse(ScriptErrors.text(args.arg1())) != null)) {
                throw new LuaError(ScriptErrors.errorTable("First argument must be a number (log level)."));
            }
            int level = (int) args.arg1().todouble();
            if (level < 0 || level > 3) {
                throw new LuaError(ScriptErrors.errorTable("Invalid debug level."));
            }
            StringBuilder line = new StringBuilder();
            for (int i = 2; i <= argc; i++) {
                LuaValue v = args.arg(i);
                if (v.isstring() || v.type() == LuaValue.TNUMBER) {
                    if (line.length() > 0) {
                        line.append(' ');
                    }
                    line.append(v.type() == LuaValue.TNUMBER ? LuaNumbers.format(v.todouble()) : ScriptErrors.text(v));
                }
            }
            switch (level) {
                case 0 -> SCRIPT_LOG.debug("{}", line);
                case 1 -> SCRIPT_LOG.info("{}", line);
                case 2 -> SCRIPT_LOG.info("{}", line);
                default -> SCRIPT_LOG.warn("{}", line);
            }
            return NONE;
        }
    }

    private static final class SetResp extends VarArgFunction {
        private final LuaRuntime runtime;

        SetResp(LuaRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public Varargs invoke(Varargs args) {
            ScriptRun run = running(runtime, "redis.setresp");
            if (args.narg() != 1) {
                throw new LuaError(ScriptErrors.errorTable("redis.setresp() requires one argument."));
            }
            int resp = (int) args.arg1().optdouble(0);
            if (resp != 2 && resp != 3) {
                throw new LuaError(ScriptErrors.errorTable("RESP version must be 2 or 3."));
            }
            run.resp = resp;
            return NONE;
        }
    }

    /**
     * {@code redis.set_repl(flags)}: checked as Redis checks it, and recorded; every write a script
     * makes still goes through the one write path to the append-only file and the replicas alike
     * (docs/reference/service-scripting.md: a replica that misses some of a primary's writes is not offered).
     */
    private static final class SetRepl extends VarArgFunction {
        private final LuaRuntime runtime;

        SetRepl(LuaRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public Varargs invoke(Varargs args) {
            ScriptRun run = running(runtime, "redis.set_repl");
            if (args.narg() != 1) {
                throw new LuaError(ScriptErrors.errorTable("redis.set_repl() requires two arguments."));
            }
            int flags = (int) args.arg1().optdouble(0);
            if ((flags & ~3) != 0) {
                throw new LuaError(ScriptErrors.errorTable("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."));
            }
            run.replicationFlags = flags;
            return NONE;
        }
    }

    private static final class AclCheck extends VarArgFunction {
        private final LuaRuntime runtime;

        AclCheck(LuaRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public Varargs invoke(Varargs args) {
            ScriptRun run = running(runtime, "redis.acl_check_cmd");
            byte[][] argv = args.narg() == 0 ? null : argv(args);
            if (argv == null) {
                throw new LuaError(args.narg() == 0
                        ? ScriptErrors.errorTable("Please specify at least one argument for this redis lib call")
                        : ScriptErrors.errorTable("Lua redis lib command arguments must be strings or integers"));
            }
            Boolean allowed = run.allows(argv);
            if (allowed == null) {
                throw new LuaError(ScriptErrors.errorTable("Invalid command passed to redis.acl_check_cmd()"));
            }
            return valueOf(allowed);
        }
    }

    private static final class Constant extends VarArgFunction {
        private final LuaValue value;

        Constant(LuaValue value) {
            this.value = value;
        }

        @Override
        public Varargs invoke(Varargs args) {
            return value;
        }
    }
}
