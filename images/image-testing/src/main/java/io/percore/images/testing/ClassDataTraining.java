package io.percore.images.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes an image's application class data archive, as Spring Boot's CDS training run does: the image's own Java, in its
 * own root file system ({@link Sandbox}) as its user, on its class path, until the application context is refreshed, with
 * {@code -XX:ArchiveClassesAtExit}. The classes it loaded are then mapped at every start of the image's final build
 * instead of being read and verified (images/README.md). The archive holds the class path's jars by path, size and
 * time: it is made from the image itself (Jib's fixed file times, kept when extracted), not from the build's files.
 * Where the sandbox cannot run (not root) it says why and makes none: the final image then has no archive, and its JVM
 * ignores the missing file without a word.
 *
 * <pre>ClassDataTraining IMAGE_TAR OUT_DIR ARCHIVE_NAME</pre>
 * OUT_DIR/ARCHIVE_NAME is written (OUT_DIR always exists afterwards: the final build's extra directory).
 */
public final class ClassDataTraining {

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ClassDataTraining IMAGE_TAR OUT_DIR ARCHIVE_NAME");
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve(args[2]));
        Optional<String> skip = Sandbox.skipReason();
        if (skip.isPresent()) {
            System.out.println("[class data] no archive for " + args[0] + ": " + skip.get());
            return;
        }
        train(OciImage.read(Path.of(args[0])), out.resolve(args[2]), out.resolveSibling(out.getFileName() + "-training"));
    }

    static void train(OciImage image, Path archive, Path work) throws IOException, InterruptedException {
        Sandbox sandbox = Sandbox.extract(image, work);
        try {
            Sandbox.Spec spec = Sandbox.Spec.of(image);
            // written where the image's user may write and the host can read it after (the working directory)
            String inImage = (spec.workingDir().endsWith("/") ? spec.workingDir() : spec.workingDir() + "/") + "training.jsa";
            List<String> command = new ArrayList<>();
            for (String arg : image.command()) {
                if (!arg.startsWith("-XX:SharedArchiveFile=")) {
                    command.add(arg);
                }
                if (command.size() == 1) {
                    command.add("-XX:ArchiveClassesAtExit=" + inImage);
                    command.add("-Dspring.context.exit=onRefresh");
                }
            }
            Sandbox.Result r = sandbox.run(spec.withArgv(command), Duration.ofMinutes(5));
            Path made = sandbox.rootfs().resolve(inImage.substring(1));
            if (r.exitCode() != 0 || !Files.isRegularFile(made) || Files.size(made) == 0) {
                throw new IllegalStateException("the training run of " + image.reference() + " made no archive (exit " + r.exitCode() + "):\n"
                        + r.output());
            }
            Files.copy(made, archive);
            System.out.println("[class data] " + archive + ": " + Files.size(archive) / (1 << 20) + " MiB from " + String.join(" ", command));
        } finally {
            Sandbox.deleteTree(work);
        }
    }
}
