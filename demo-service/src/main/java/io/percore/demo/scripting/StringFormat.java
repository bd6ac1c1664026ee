package io.percore.demo.scripting;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Lua 5.1's {@code string.format} (its {@code str_format} over C's {@code sprintf}): flags
 * {@code -+ #0}, a width and precision of at most two digits, and {@code %d %i %o %u %x %X %c %e %E
 * %f %g %G %q %s %%}. LuaJ's own drops widths and precisions ({@code %5.2f} of 1/3 gives all the
 * digits) and formats numbers as Java does.
 */
final class StringFormat extends VarArgFunction {

    @Override
    public Varargs invoke(Varargs args) {
        LuaString fmt = args.checkstring(1);
        byte[] f = LuaReplies.bytesOf(fmt);
        ByteArrayOutputStream out = new ByteArrayOutputStream(f.length + 16);
        int arg = 1;
        for (int i = 0; i < f.length; i++) {
            byte c = f[i];
            if (c != '%') {
                out.write(c);
                continue;
            }
            if (++i >= f.length) {
                throw new LuaError("invalid option '%' to 'format'");
            }
            if (f[i] == '%') {
                out.write('%');
                continue;
            }
            int start = i;
            while (i < f.length && "-+ #0".indexOf(f[i]) >= 0) {
                i++;
            }
            if (i - start > 5) {
                throw new LuaError("invalid format (repeated flags)");
            }
            String flags = new String(f, start, i - start, StandardCharsets.US_ASCII);
            int width = -1;
            int digits = 0;
            while (i < f.length && Character.isDigit(f[i])) {
                width = (width < 0 ? 0 : width * 10) + (f[i++] - '0');
                digits++;
            }
            int precision = -1;
            if (i < f.length && f[i] == '.') {
                i++;
                precision = 0;
                int pd = 0;
                while (i < f.length && Character.isDigit(f[i])) {
                    precision = precision * 10 + (f[i++] - '0');
                    pd++;
                }
                if (pd > 2) {
                    throw new LuaError("invalid format (width or precision too long)");
                }
            }
            if (digits > 2) {
                throw new LuaError("invalid format (width or precision too long)");
            }
            if (i >= f.length) {
                throw new LuaError("invalid option '%' to 'format'");
            }
            char conversion = (char) f[i];
            arg++;
            String text;
            switch (conversion) {
                case 'c' -> {
                    out.write((int) args.checkdouble(arg));
                    continue;
                }
                case 'd', 'i' -> text = integer(Long.toString(toLong(args.checkdouble(arg))), flags, precision);
                case 'u' -> text = integer(Long.toUnsignedString(toLong(args.checkdouble(arg))), flags, precision);
                case 'o' -> text = prefixed(Long.toOctalString(toLong(args.checkdouble(arg))), flags, "0", precision);
                case 'x' -> text = prefixed(Long.toHexString(toLong(args.checkdouble(arg))), flags, "0x", precision);
                case 'X' -> text = prefixed(Long.toHexString(toLong(args.checkdouble(arg))).toUpperCase(), flags, "0X", precision);
                case 'e', 'E' -> text = signed(LuaNumbers.formatE(args.checkdouble(arg), precision < 0 ? 6 : precision, conversion == 'E'), flags);
                case 'f' -> text = signed(LuaNumbers.formatF(args.checkdouble(arg), precision < 0 ? 6 : precision), flags);
                case 'g', 'G' -> text = signed(LuaNumbers.formatG(args.checkdouble(arg), precision < 0 ? 6 : precision, conversion == 'G',
                        flags.indexOf('#') >= 0), flags);
                case 'q' -> {
                    quote(LuaReplies.bytesOf(args.checkstring(arg)), out);
                    continue;
                }
                case 's' -> {
                    LuaValue v = args.checkvalue(arg);
                    byte[] s = v.type() == LuaValue.TNUMBER ? LuaNumbers.format(v.todouble()).getBytes(StandardCharsets.US_ASCII)
                            : v.isstring() ? LuaReplies.bytesOf(v.checkstring()) : v.tojstring().getBytes(StandardCharsets.UTF_8);
                    if (precision >= 0 && precision < s.length) {
                        s = java.util.Arrays.copyOf(s, precision);
                    }
                    pad(s, width, flags.indexOf('-') >= 0, false, out);
                    continue;
                }
                default -> throw new LuaError("invalid option '%" + conversion + "' to 'format'");
            }
            boolean zero = flags.indexOf('0') >= 0 && flags.indexOf('-') < 0
                    && !(precision >= 0 && "diouxX".indexOf(conversion) >= 0);
            pad(text.getBytes(StandardCharsets.US_ASCII), width, flags.indexOf('-') >= 0, zero, out);
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    private static long toLong(double d) {
        return (long) d;
    }

    private static String integer(String digits, String flags, int precision) {
        boolean negative = digits.startsWith("-");
        String body = negative ? digits.substring(1) : digits;
        if (precision >= 0) {
            if (precision == 0 && body.equals("0")) {
                body = "";
            }
            while (body.length() < precision) {
                body = "0" + body;
            }
        }
        return signed((negative ? "-" : "") + body, flags);
    }

    private static String prefixed(String digits, String flags, String prefix, int precision) {
        String body = digits;
        while (precision >= 0 && body.length() < precision) {
            body = "0" + body;
        }
        if (flags.indexOf('#') >= 0 && !digits.equals("0")) {
            body = prefix.equals("0") ? (body.startsWith("0") ? body : "0" + body) : prefix + body;
        }
        return body;
    }

    private static String signed(String text, String flags) {
        if (text.startsWith("-")) {
            return text;
        }
        if (flags.indexOf('+') >= 0) {
            return "+" + text;
        }
        if (flags.indexOf(' ') >= 0) {
            return " " + text;
        }
        return text;
    }

    private static void pad(byte[] s, int width, boolean left, boolean zero, ByteArrayOutputStream out) {
        int fill = Math.max(0, width - s.length);
        if (left) {
            out.writeBytes(s);
            out.writeBytes(" ".repeat(fill).getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (zero && fill > 0) {
            int signs = s.length > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
            out.write(s, 0, signs);
            out.writeBytes("0".repeat(fill).getBytes(StandardCharsets.US_ASCII));
            out.write(s, signs, s.length - signs);
            return;
        }
        out.writeBytes(" ".repeat(fill).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(s);
    }

    /** {@code %q}: Lua 5.1's {@code addquoted}. */
    private static void quote(byte[] s, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : s) {
            switch (b) {
                case '"', '\\', '\n' -> {
                    out.write('\\');
                    out.write(b);
                }
                case '\r' -> out.writeBytes("\\r".getBytes(StandardCharsets.US_ASCII));
                case 0 -> out.writeBytes("\\000".getBytes(StandardCharsets.US_ASCII));
                default -> out.write(b);
            }
        }
        out.write('"');
    }
}
