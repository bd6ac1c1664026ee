package io.percore.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every API request the operator made during its mock-server suite, written by the operator's
 * tests ({@code ApiRequestRecord}) as lines {@code <mode> <scope> <verb> <group>/<resource> [<name>]}
 * in {@code operator/target/api-requests/}. The reactor builds and tests the operator first.
 */
final class OperatorRequestRecord {

    static final Path DIR = Path.of(System.getProperty("percore.api-requests.dir", "../operator/target/api-requests")).toAbsolutePath();

    private static OperatorRequestRecord loaded;

    private final List<String[]> requests;

    private OperatorRequestRecord(List<String[]> requests) {
        this.requests = requests;
    }

    static synchronized OperatorRequestRecord load() {
        if (loaded == null) {
            List<String> lines;
            try (Stream<Path> files = Files.isDirectory(DIR) ? Files.list(DIR) : Stream.empty()) {
                lines = files.filter(f -> f.toString().endsWith(".txt")).flatMap(f -> {
                    try {
                        return Files.readAllLines(f).stream();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).filter(l -> !l.isBlank()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String[]> parsed = lines.stream().map(l -> l.split(" ")).toList();
            for (String mode : List.of("all-namespaces", "listed-namespaces")) {
                if (parsed.stream().noneMatch(r -> r[0].equals(mode) && r[1].equals("cluster"))) {
                    throw new IllegalStateException("no record of the operator's requests in " + mode + " mode under " + DIR
                            + "; run the operator's tests first: ./mvnw -pl operator,helm -am test");
                }
            }
            loaded = new OperatorRequestRecord(parsed);
        }
        return loaded;
    }

    /** As RbacTest's permissions: {@code "<group>/<resource> <verb> [<name>]"}; mode null = any. */
    Set<String> permissions(String mode, String scope) {
        return requests.stream().filter(r -> (mode == null || r[0].equals(mode)) && r[1].equals(scope))
                .map(r -> (r[3] + " " + r[2] + (r.length > 4 ? " " + r[4] : "")).trim())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
