package io.percore.operator.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one line a backup or restore leaves for the operator: a JSON object written to the container's termination
 * log ({@code /dev/termination-log}, which the kubelet copies into the pod's
 * {@code status.containerStatuses[].state.terminated.message}, at most 4096 bytes) and printed on stdout. Its
 * {@code outcome} is {@code Succeeded}, {@code Restored}, {@code Skipped} or {@code Failed}; a failure has a
 * {@code reason} ({@link Failure#reason()}) and a {@code message}.
 */
public final class TerminationMessage {

    /** Kubernetes keeps at most this much of the file. */
    public static final int MAX_BYTES = 4096;
    /** A failure's message is cut to this, so the line stays whole JSON under {@link #MAX_BYTES}. */
    static final int MAX_MESSAGE = 2000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TerminationMessage() {
    }

    /** A failure's line. */
    public static String failed(Failure failure, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", "Failed");
        m.put("reason", failure.reason());
        String text = message == null ? "" : message.replace('\n', ' ');
        m.put("message", text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...");
        return line(m);
    }

    /** A line of these fields, in their order. */
    public static String line(Map<String, Object> fields) {
        return JSON.writeValueAsString(fields);
    }

    /** The fields of a line (for the operator reading a pod's message), empty when it is not one of these lines. */
    public static Map<String, Object> parse(String line) {
        try {
            return JSON.readValue(line, new TypeReference<Map<String, Object>>() { });
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * Writes {@code line} to {@code path} when there is one: in a container the kubelet has made the file; elsewhere
     * (a run by hand) nothing is created in {@code /dev} unless the path was set on purpose.
     */
    public static void write(Path path, boolean explicit, String line) {
        if (path == null || (!explicit && !Files.exists(path))) {
            return;
        }
        try {
            Files.writeString(path, line + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("could not write the termination message to " + path + ": " + e);
        }
    }
}
