import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording made with method tracing of the demo's classes (tools/command-trace.sh) and prints the path
 * of the last command the connection read: every traced call inside the last {@code RespConnection.channelRead} on
 * its thread, as a tree, then the figures issue 75 asks for (classes visited, calls between classes, calls back up
 * the packages' layers, calls back into a class already on the stack).
 *
 * <p>Run with JDK 25 or later (JEP 520's jdk.MethodTrace): {@code java CommandTrace.java RECORDING PACKAGE_DEPS}, where
 * PACKAGE_DEPS is {@code jdeps -verbose:package} of the demo's classes (what depends on what: a call from a package
 * to one that depends on it, directly or not, is a call back up).
 */
public class CommandTrace {

    private static final String ROOT = "io.percore.demo";
    private static final String ENTRY = ROOT + ".network.RespConnection.channelRead";

    record Call(String type, String method, long start, long end, List<String> stack) {
        String outer() {
            int dollar = type.indexOf('$');
            return dollar < 0 ? type : type.substring(0, dollar);
        }

        String pkg() {
            return type.substring(0, type.lastIndexOf('.'));
        }

        String name() {
            return type.substring(ROOT.length() + 1) + "." + method;
        }
    }

    public static void main(String[] args) throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
        Map<String, Set<String>> dependsOn = packageDependencies(Path.of(args[1]));
        RecordedEvent entry = null;
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.MethodTrace") && nameOf(e.getValue("method")).equals(ENTRY)
                    && (entry == null || e.getStartTime().isAfter(entry.getStartTime()))) {
                entry = e;
            }
        }
        if (entry == null) {
            throw new IllegalStateException("no " + ENTRY + " in the recording");
        }
        long from = nanos(entry.getStartTime());
        long to = nanos(entry.getEndTime());
        long thread = entry.getThread().getJavaThreadId();
        List<Call> calls = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals("jdk.MethodTrace") || e.getThread() == null
                    || e.getThread().getJavaThreadId() != thread) {
                continue;
            }
            long start = nanos(e.getStartTime());
            if (start < from || start > to) {
                continue;
            }
            RecordedMethod m = e.getValue("method");
            List<String> stack = new ArrayList<>();
            for (RecordedFrame f : e.getStackTrace().getFrames()) {
                stack.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
            }
            calls.add(new Call(m.getType().getName(), m.getName(), start, nanos(e.getEndTime()), stack));
        }
        // outer calls first: earlier start, then the longer
        calls.sort(Comparator.comparingLong(Call::start).thenComparing(Comparator.comparingLong(Call::end).reversed()));
        print(calls, dependsOn);
    }

    private static void print(List<Call> calls, Map<String, Set<String>> dependsOn) {
        Deque<Call> open = new ArrayDeque<>();
        Set<String> classes = new LinkedHashSet<>();
        int between = 0;
        int up = 0;
        int back = 0;
        List<String> ups = new ArrayList<>();
        List<String> backs = new ArrayList<>();
        for (Call call : calls) {
            while (!open.isEmpty() && !encloses(open.peek(), call)) {
                open.pop();
            }
            Call caller = open.peek();
            classes.add(call.outer());
            String mark = "";
            if (caller != null && !caller.outer().equals(call.outer())) {
                between++;
                if (!caller.pkg().equals(call.pkg()) && reaches(dependsOn, call.pkg(), caller.pkg())) {
                    up++;
                    mark += "  [up: " + short_(caller.pkg()) + " -> " + short_(call.pkg()) + "]";
                    ups.add(caller.name() + " -> " + call.name());
                }
                boolean onStack = open.stream().skip(1).anyMatch(c -> c.outer().equals(call.outer()));
                if (onStack) {
                    back++;
                    mark += "  [back into " + short_(call.outer()) + "]";
                    backs.add(caller.name() + " -> " + call.name());
                }
            }
            System.out.println("  ".repeat(open.size()) + call.name() + mark);
            open.push(call);
        }
        System.out.println();
        System.out.println("calls traced:                              " + calls.size());
        System.out.println("classes visited (nested in their file's):  " + classes.size());
        System.out.println("calls from one class into another:        " + between);
        System.out.println("calls back up the packages' layers:        " + up);
        System.out.println("calls back into a class already on stack:  " + back);
        System.out.println();
        System.out.println("classes: " + String.join(" ", classes.stream().map(CommandTrace::short_).toList()));
    }

    private static boolean encloses(Call outer, Call inner) {
        return inner.start >= outer.start && inner.end <= outer.end && inner != outer;
    }

    /** Whether package {@code from} depends on {@code target}, directly or through others. */
    private static boolean reaches(Map<String, Set<String>> dependsOn, String from, String target) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            String p = todo.pop();
            for (String next : dependsOn.getOrDefault(p, Set.of())) {
                if (next.equals(target)) {
                    return true;
                }
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        return false;
    }

    /** jdeps -verbose:package lines: "   io.percore.demo.a   ->   io.percore.demo.b   ...". */
    private static Map<String, Set<String>> packageDependencies(Path jdeps) throws IOException {
        Map<String, Set<String>> deps = new HashMap<>();
        Pattern line = Pattern.compile("^\\s*(io\\.percore\\.demo[\\w.]*)\\s+->\\s+(io\\.percore\\.demo[\\w.]*)\\s");
        for (String l : Files.readAllLines(jdeps)) {
            Matcher m = line.matcher(l + " ");
            if (m.find() && !m.group(1).equals(m.group(2))) {
                deps.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
            }
        }
        return deps;
    }

    private static String nameOf(RecordedMethod m) {
        return m.getType().getName() + "." + m.getName();
    }

    private static long nanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static String short_(String name) {
        return name.startsWith(ROOT + ".") ? name.substring(ROOT.length() + 1) : name.equals(ROOT) ? "(root)" : name;
    }
}
