package io.percore.e2e;

import java.time.LocalTime;

/** One line per step on the console (this module does not redirect test output): where a slow suite is. */
final class Progress {

    private Progress() {
    }

    /** The machine's load average (1, 5, 15 min), for the figures a run prints. */
    static String load() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void say(String format, Object... args) {
        System.out.println("[k8s " + LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + String.format(format, args));
        System.out.flush();
    }
}
