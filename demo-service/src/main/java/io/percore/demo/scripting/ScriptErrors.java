package io.percore.demo.scripting;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Errors as Redis's scripts see and report them: an error raised by {@code redis.call} (or
 * {@code redis.error_reply}) is a table {@code {err = "CODE message"}}, a Lua error a string
 * {@code "user_script:LINE: message"}, and the client reads {@code -CODE message script: <sha>, on
 * @user_script:LINE.} ({@code luaPushError}, {@code luaCallFunction}). LuaJ writes the position as
 * {@code "chunk:line message"}; it is put back in PUC Lua's form here.
 */
final class ScriptErrors {

    /** LuaJ's position before a message: {@code chunk:line } (a space where PUC Lua puts {@code ": "}). */
    private static final Pattern POSITION = Pattern.compile("^([^\\s:]+):(\\d+|\\?) (.*)$", Pattern.DOTALL);

    private ScriptErrors() {
    }

    /**
     * Redis's {@code luaPushError}: a message starting with {@code -} carries its own code, any other
     * gets {@code ERR}; the result is the {@code err} table a script sees.
     */
    static LuaTable errorTable(String message) {
        String text = oneLine(message);
        String full;
        if (text.startsWith("-")) {
            int space = text.indexOf(' ');
            // Redis's luaPushErrorBuff: "-CODE msg" keeps its code; "-msg" without a space gets ERR ("-" alone: "ERR ")
            full = space < 0 ? "ERR " + text.substring(1) : text.substring(1, space) + " " + text.substring(space + 1);
        } else {
            full = "ERR " + text;
        }
        return LuaReplies.single(LuaReplies.ERR, LuaValue.valueOf(full));
    }

    static String oneLine(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\n')) {
            end--;
        }
        return s.substring(0, end).replace("\r\n", "  ").replace('\r', ' ').replace('\n', ' ');
    }

    /** An error's value as a script's {@code pcall} sees it: the table, or the message with its position. */
    static LuaValue valueOf(LuaError e) {
        LuaValue object = e.getMessageObject();
        if (object != null && object.istable()) {
            return object;
        }
        if (object != null && !object.isstring()) {
            return object;
        }
        String message = e.getMessage();
        if (message == null) {
            return LuaValue.NIL;
        }
        message = stripTraceback(message);
        Matcher m = POSITION.matcher(message);
        if (m.matches()) {
            if (e instanceof ProtectedTable.UnplacedLuaError) {
                return LuaValue.valueOf(m.group(3));
            }
            return LuaValue.valueOf(chunk(m.group(1)) + ":" + m.group(2) + ": " + m.group(3));
        }
        return LuaValue.valueOf(message);
    }

    /** A chunk's name as PUC Lua prints it: {@code @user_script} is shown without its {@code @}. */
    private static String chunk(String source) {
        return source.startsWith("@") || source.startsWith("=") ? source.substring(1) : source;
    }

    /** Where the error was raised: {@code {source, line}} of the innermost script frame, or null. */
    static String[] position(LuaError e) {
        String message = e.getMessage();
        if (message == null) {
            return null;
        }
        Matcher m = POSITION.matcher(stripTraceback(message));
        return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
    }

    private static String stripTraceback(String message) {
        // LuaJ appends the debug library's traceback after a newline; the watchdog's is empty
        return message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
    }

    static String text(LuaValue v) {
        if (v.isstring()) {
            return new String(LuaReplies.bytesOf(v.checkstring()), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return v.tojstring();
    }

    static LuaString string(String s) {
        return LuaString.valueOf(s);
    }
}
