package io.percore.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.percore.demo.acl.CommandCatalog;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandHandler;
import io.percore.demo.command.OnKeyOwner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 75's one registry and one door, held by the build: a command is resolved from its name only by the registry
 * ({@code command.CommandTable}) and the callers that hand it a name as data, and a command's handler is reached only
 * through {@code CommandCall}, Redis's {@code call()}. A new class that looks a command up for itself, or runs a
 * handler around the door, fails here by its name and the call.
 */
class OneDoorTest {

    private static final JavaClasses DEMO = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.percore.demo");

    /** The registry's methods that find a command by its name or a call's arguments. */
    private static final Set<String> RESOLVING = Set.of("lookup", "find", "findSubcommand", "named", "lookupAny", "runningNamed");

    /** Who may resolve a command, each with its reason: a class, or a package ending in {@code ..}. */
    static final Map<String, String> MAY_RESOLVE = Map.of(
            "io.percore.demo.command..", "the registry and what Redis publishes about its commands",
            "io.percore.demo.execution.CommandCall", "the door: the one lookup of a call",
            "io.percore.demo.admin.CommandCommands", "COMMAND INFO, DOCS and GETKEYS: their arguments name commands",
            "io.percore.demo.admin.AclCommands", "ACL DRYRUN: its arguments are a call",
            "io.percore.demo.acl..", "ACL rules name commands (+get, -config|set), SORT's check names SORT",
            "io.percore.demo.scripting.ScriptRun", "redis.acl_check_cmd: its arguments are a call",
            "io.percore.demo.replay.ReplayRouting",
            "a replayed command's one lookup, where the feed is read: it places the command on its keys' shard, whose call takes it");

    /** Who may run a handler, each with its reason. */
    static final Map<String, String> MAY_RUN = Map.of(
            "io.percore.demo.command..", "a handler's own parts (OnKeyOwner's handle runs its runHere)",
            "io.percore.demo.execution.CommandCall", "the door (EXEC's run of single-key commands too: callEachOnItsShard)");

    static ArchRule onlyTheseResolve(Map<String, String> allowed) {
        DescribedPredicate<JavaCall<?>> resolving = DescribedPredicate.describe("resolve a command by its name",
                call -> call.getTargetOwner().isAssignableTo(CommandCatalog.class) && RESOLVING.contains(call.getName()));
        return noClasses().that(outside(allowed)).should().callCodeUnitWhere(resolving)
                .because("the registry is the one place a command is found (issue 75): " + allowed);
    }

    static ArchRule onlyTheseRun(Map<String, String> allowed) {
        DescribedPredicate<JavaCall<?>> running = DescribedPredicate.describe("run a command's handler outside a handler",
                call -> ((call.getTargetOwner().isAssignableTo(CommandHandler.class) && call.getName().equals("handle"))
                        || (call.getTargetOwner().isAssignableTo(OnKeyOwner.class) && call.getName().equals("runHere")))
                        && !insideAHandler(call.getOrigin()));
        return noClasses().that(outside(allowed)).should().callCodeUnitWhere(running)
                .because("every caller goes through CommandCall, Redis's call() (issue 75): " + allowed);
    }

    /**
     * A handler built of another's step runs it inside its own call (RESTORE on its key's shard, PFCOUNT of one key): a
     * method of a handler class, a method with a handler's parameters, one that makes a handler (its lambda's body), or
     * a class's initializer (the body of a handler held in a constant: ArchUnit gives a lambda's calls to its maker).
     */
    private static boolean insideAHandler(JavaCodeUnit origin) {
        List<JavaClass> params = origin.getRawParameterTypes();
        return origin.getOwner().isAssignableTo(CommandHandler.class) || origin.getName().equals("<clinit>")
                || origin.getRawReturnType().isAssignableTo(CommandHandler.class)
                || (params.size() == 2 && params.get(0).isEquivalentTo(CommandContext.class) && params.get(1).isEquivalentTo(byte[][].class));
    }

    private static DescribedPredicate<JavaClass> outside(Map<String, String> allowed) {
        return DescribedPredicate.describe("are not " + allowed.keySet(), c -> allowed.keySet().stream().noneMatch(a -> a.endsWith("..")
                ? c.getPackageName().equals(a.substring(0, a.length() - 2)) || c.getPackageName().startsWith(a.substring(0, a.length() - 1))
                : c.getName().equals(a) || c.getName().startsWith(a + "$")));
    }

    @Test
    void onlyTheRegistryAndCallersGivenANameResolveACommand() {
        onlyTheseResolve(MAY_RESOLVE).check(DEMO);
    }

    @Test
    void onlyTheDoorRunsAHandler() {
        onlyTheseRun(MAY_RUN).check(DEMO);
    }

    /** The rules bite: without the door among the allowed, the door's own lookup and run are reported. */
    @Test
    void aLookupOrARunOutsideTheAllowedIsReported() {
        Map<String, String> resolvers = new HashMap<>(MAY_RESOLVE);
        resolvers.remove("io.percore.demo.execution.CommandCall");
        EvaluationResult lookups = onlyTheseResolve(resolvers).evaluate(DEMO);
        assertThat(String.join("\n", lookups.getFailureReport().getDetails()))
                .contains("<io.percore.demo.execution.CommandCall.call(").contains("CommandTable.lookup(");
        Map<String, String> runners = new HashMap<>(MAY_RUN);
        runners.remove("io.percore.demo.execution.CommandCall");
        EvaluationResult runs = onlyTheseRun(runners).evaluate(DEMO);
        assertThat(String.join("\n", runs.getFailureReport().getDetails())).contains("<io.percore.demo.execution.CommandCall.run(")
                .contains("CommandHandler.handle(");
    }
}
