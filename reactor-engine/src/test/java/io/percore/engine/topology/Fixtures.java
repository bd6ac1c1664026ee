package io.percore.engine.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Access to the fixture trees under {@code src/test/resources/topology} and ad-hoc trees. */
final class Fixtures {

    private Fixtures() {
    }

    /** Root of the named fixture tree (see {@code topology/generate.sh}). */
    static Path root(String name) {
        try {
            var url = Fixtures.class.getResource("/topology/" + name + "/proc/self/status");
            if (url == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return Path.of(url.toURI()).getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static HostTopology topology(String name) {
        return HostTopology.read(root(name));
    }

    /** Writes {@code content} (plus a newline, as sysfs does) to {@code root/relative}. */
    static void put(Path root, String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void cpu(Path root, int id, int core, int pkg, String siblings) {
        String dir = "sys/devices/system/cpu/cpu" + id + "/topology/";
        put(root, dir + "core_id", String.valueOf(core));
        put(root, dir + "physical_package_id", String.valueOf(pkg));
        if (siblings != null) {
            put(root, dir + "thread_siblings_list", siblings);
        }
    }

    static void status(Path root, String cpusAllowedList) {
        put(root, "proc/self/status", "Name:\tjava\nCpus_allowed:\tff\nCpus_allowed_list:\t" + cpusAllowedList + "\nMems_allowed_list:\t0");
    }
}
