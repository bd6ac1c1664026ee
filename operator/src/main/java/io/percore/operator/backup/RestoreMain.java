package io.percore.operator.backup;

import java.nio.file.Path;
import java.util.Map;

/**
 * The restore program: {@code java -cp @/app/jib-classpath-file io.percore.operator.backup.RestoreMain}, in the
 * operator's image, as an init container of the service's pods (the data volume mounted at {@code PERCORE_DATA_DIR}).
 * Settings: {@link RestoreSettings}. It prints its progress, then one line ({@link TerminationMessage}:
 * {@code Restored}, {@code Skipped} or {@code Failed}) on stdout and into the termination log, and exits 0 (restored
 * or skipped), 1 (failed: nothing was written, the line's {@code reason} says why) or 2 (the settings are wrong).
 */
public final class RestoreMain {

    private RestoreMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> env) {
        Path log = BackupSettings.terminationLog(env);
        boolean explicit = env.get("PERCORE_TERMINATION_LOG") != null;
        String line;
        int code;
        try {
            line = RestoreRun.run(RestoreSettings.fromEnv(env)).line();
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
