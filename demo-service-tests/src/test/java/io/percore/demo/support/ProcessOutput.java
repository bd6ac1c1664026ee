package io.percore.demo.support;

import java.io.BufferedReader;
import java.io.IOException;

/** What a child process prints, read on a thread of its own so the child never blocks on a full pipe. */
final class ProcessOutput {

    private final StringBuilder text = new StringBuilder();
    private final Thread reader;

    /** Starts reading {@code out}, after {@code before} (lines already read by the caller). */
    ProcessOutput(BufferedReader out, CharSequence before, String threadName) {
        text.append(before);
        reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (text) {
                        text.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    /** Waits until the output ended (the process closed it), at most {@code millis}. */
    void awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
    }
}
