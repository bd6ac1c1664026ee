package io.percore.demo.scripting;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * A script's uncaught error as its client reads it, Redis's {@code luaCallFunction}: the error
 * table's {@code err} (or {@code ERR} and the message), then {@code script: <name>, on
 * @user_script:<line>.} where the error was raised.
 */
final class ScriptErrorReplies {

    private ScriptErrorReplies() {
    }

    static RedisMessage of(LuaError e, String name) {
        LuaValue v = ScriptErrors.valueOf(e);
        String message;
        if (v.istable() && v.rawget(LuaReplies.ERR).isstring()) {
            message = ScriptErrors.text(v.rawget(LuaReplies.ERR));
        } else if (v.isstring()) {
            message = "ERR " + ScriptErrors.text(v);
        } else {
            message = "ERR " + v.tojstring();
        }
        String[] position = ScriptErrors.position(e);
        if (v.istable() && v.rawget(LuaReplies.LINE).isstring() && v.rawget(LuaReplies.SOURCE).isstring()) {
            position = new String[] {v.rawget(LuaReplies.SOURCE).tojstring(), v.rawget(LuaReplies.LINE).tojstring()};
        }
        return LuaReplies.counted(v, at(message, name, position));
    }

    /** {@code message} (with its code) raised at {@code position} ({@code {source, line}}, or null) of script {@code name}. */
    static ErrorRedisMessage at(String message, String name, String[] position) {
        if (position != null) {
            String source = position[0].startsWith("@") ? position[0] : "@" + position[0];
            message = message + " script: " + name + ", on " + source + ":" + position[1] + ".";
        }
        return new ErrorRedisMessage(ScriptErrors.oneLine(message));
    }
}
