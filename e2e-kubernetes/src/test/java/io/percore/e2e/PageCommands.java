package io.percore.e2e;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shell blocks of the documentation's pages run as a reader runs them (issue 76: the getting-started and how-to
 * pages followed as written): each command of a block from the checkout's root, {@code kubectl} the machine's against
 * the node, and {@code helm} through helm-java (the same Go code as the helm CLI, linked as a library, since no helm
 * binary is packaged for this machine) with the flags the pages use; any other flag fails the run, so a page cannot
 * gain a helm option no test runs. A command that exits non-zero fails with the block's output so far.
 */
final class PageCommands {

    private PageCommands() {
    }

    /** The commands of the {@code n}th (from 0) {@code bash} block of a page under docs/: comment lines dropped, continuations joined. */
    static List<String> block(String page, int n) {
        Path file = RealNode.projectRoot().resolve("docs").resolve(page);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int seen = -1;
        List<String> commands = new ArrayList<>();
        boolean inside = false;
        StringBuilder pending = new StringBuilder();
        for (String line : lines) {
            if (!inside && line.strip().equals("```bash")) {
                inside = ++seen == n;
                continue;
            }
            if (inside && line.strip().equals("```")) {
                return commands;
            }
            if (!inside) {
                continue;
            }
            // a whole-line comment is no command; a trailing one bash drops itself (helm's are dropped in helm())
            String code = line.strip().startsWith("#") ? "" : line.strip();
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
            } else if (!code.isEmpty() || !pending.isEmpty()) {
                commands.add(pending.append(code).toString().strip());
                pending.setLength(0);
            }
        }
        throw new IllegalStateException(file + " has no bash block number " + n + " (" + (seen + 1) + " found)");
    }

    /**
     * Runs the commands one by one; {@code namespace}, when not null, is kubectl's current namespace (a command that
     * names none works there, as in a reader's context). Returns what they printed.
     */
    static String run(RealNode node, List<String> commands, String namespace) {
        Path kubeconfig = kubeconfigFor(node, namespace);
        StringBuilder out = new StringBuilder();
        for (String command : commands) {
            out.append("$ ").append(command).append('\n');
            try {
                if (command.startsWith("helm ")) {
                    int comment = command.indexOf(" #");
                    out.append(helm(kubeconfig, words(command.substring(5, comment < 0 ? command.length() : comment)))).append('\n');
                } else {
                    out.append(RealNode.exec(Map.of("KUBECONFIG", kubeconfig.toString()), Duration.ofMinutes(3), "bash", "-c",
                            "cd " + RealNode.projectRoot() + " && " + command));
                }
            } catch (RuntimeException e) {
                throw new AssertionError("a page's command failed: " + command + "\n" + out + e.getMessage(), e);
            }
        }
        return out.toString();
    }

    private static Path kubeconfigFor(RealNode node, String namespace) {
        if (namespace == null) {
            return node.kubeconfig();
        }
        try {
            Path copy = Files.createTempFile("e2e-kubeconfig-" + namespace, ".yaml");
            Files.copy(node.kubeconfig(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            RealNode.exec(Map.of(), Duration.ofSeconds(30), "kubectl", "--kubeconfig", copy.toString(), "config", "set-context",
                    "--current", "--namespace=" + namespace);
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm install|upgrade NAME CHART [--namespace NS] [--create-namespace] [--set K=V]...}. */
    private static String helm(Path kubeconfig, List<String> args) {
        if (args.size() < 3 || !(args.get(0).equals("install") || args.get(0).equals("upgrade"))) {
            throw new IllegalArgumentException("helm " + String.join(" ", args) + ": only install and upgrade NAME CHART are run here");
        }
        Helm chart = new Helm(RealNode.projectRoot().resolve(args.get(2)).normalize());
        String name = args.get(1);
        String namespace = "default";
        boolean createNamespace = false;
        List<String[]> sets = new ArrayList<>();
        for (int i = 3; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--namespace", "-n" -> namespace = args.get(++i);
                case "--create-namespace" -> createNamespace = true;
                case "--set" -> sets.add(args.get(++i).split("=", 2));
                default -> throw new IllegalArgumentException("helm: the option " + args.get(i) + " is not run here (PageCommands)");
            }
        }
        com.marcnuri.helm.Release release;
        if (args.get(0).equals("install")) {
            var install = chart.install().withName(name).withNamespace(namespace).withKubeConfig(kubeconfig);
            if (createNamespace) {
                install.createNamespace();
            }
            sets.forEach(kv -> install.set(kv[0], kv[1]));
            release = install.call();
        } else {
            if (createNamespace) {
                throw new IllegalArgumentException("helm upgrade: --create-namespace is not run here");
            }
            var upgrade = chart.upgrade().withName(name).withNamespace(namespace).withKubeConfig(kubeconfig);
            sets.forEach(kv -> upgrade.set(kv[0], kv[1]));
            release = upgrade.call();
        }
        return "release " + release.getName() + " revision " + release.getRevision() + " " + release.getStatus();
    }

    /** A command's words, as bash splits them where no quote, variable or glob is used (the pages' helm lines). */
    private static List<String> words(String command) {
        if (command.matches(".*['\"$*?{}].*")) {
            throw new IllegalArgumentException("helm " + command + ": quoting and expansions are not run here");
        }
        return List.of(command.strip().split("\\s+"));
    }
}
