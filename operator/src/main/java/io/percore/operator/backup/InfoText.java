package io.percore.operator.backup;

/** Fields of an INFO reply ({@code name:value} lines). */
final class InfoText {

    private InfoText() {
    }

    /** The value of {@code name}, or null when no line has it. */
    static String field(String info, String name) {
        if (info == null) {
            return null;
        }
        String prefix = name + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        return null;
    }
}
