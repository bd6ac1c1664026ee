package io.percore.demo.resp;

/**
 * Command and keyword names compared as Redis compares them ({@code strcasecmp}): ASCII letters in
 * either case, every other byte as it is, without making a String of the argument.
 */
public final class AsciiCase {

    private AsciiCase() {
    }

    /** Whether {@code candidate} is {@code lowerName} (lower case) in any case. */
    public static boolean equalsIgnoreCase(byte[] candidate, byte[] lowerName) {
        if (candidate.length != lowerName.length) {
            return false;
        }
        for (int i = 0; i < candidate.length; i++) {
            int b = candidate[i];
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }
}
