package io.percore.operator.backup;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The backup program: {@code java -cp @/app/jib-classpath-file io.percore.operator.backup.BackupMain}, in the
 * operator's image, as a Job. Settings: {@link BackupSettings}. It prints its progress, then one line (the
 * {@link TerminationMessage}) on stdout and into the termination log, and exits 0 (backed up), 1 (failed: the
 * line's {@code reason} says why) or 2 (the settings are wrong).
 */
public final class BackupMain {

    private BackupMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), Clock.systemUTC()));
    }

    /** One run; the exit code. */
    static int run(Map<String, String> env, Clock clock) {
        Path log = BackupSettings.terminationLog(env);
        boolean explicit = env.get("PERCORE_TERMINATION_LOG") != null;
        String line;
        int code;
        try {
            BackupSettings settings = BackupSettings.fromEnv(env);
            line = BackupRun.run(settings, clock).line();
            code = 0;
        } catch (BackupException e) {
            line = TerminationMessage.failed(e.failure(), e.getMessage());
            code = e.failure().exitCode();
        } catch (RuntimeException e) {
            line = TerminationMessage.failed(Failure.INTERNAL, e.toString());
            code = Failure.INTERNAL.exitCode();
            e.printStackTrace();
        }
        System.out.println(line);
        TerminationMessage.write(log, explicit, line);
        return code;
    }
}
