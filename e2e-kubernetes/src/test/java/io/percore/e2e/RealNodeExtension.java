package io.percore.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The suite's shared fixture: the node and the operator chart on it, made once for the whole run and torn down at
 * its end (JUnit closes what the root store holds). A test class asks for {@link Cluster} as a parameter. Where the
 * node cannot run, every test is skipped with the reason, printed once.
 */
final class RealNodeExtension implements ExecutionCondition, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(RealNodeExtension.class);
    private static volatile boolean reasonPrinted;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = RealNode.whyNot();
        if (why == null) {
            return ConditionEvaluationResult.enabled("a real Kubernetes node can run here");
        }
        if (!reasonPrinted) {
            reasonPrinted = true;
            System.out.println("[k8s] real-node suite skipped: " + why);
        }
        return ConditionEvaluationResult.disabled("real-node suite skipped: " + why);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster(context);
    }

    private static Cluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(STORE).computeIfAbsent(Cluster.class, k -> Cluster.start(), Cluster.class);
    }

    /**
     * A failed scenario leaves what explains it in target/e2e-diagnostics/: the cluster as it is now, beside what its
     * namespace held when it closed (TestNamespace).
     */
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Cluster cluster = context.getRoot().getStore(STORE).get(Cluster.class, Cluster.class);
        if (cluster != null) {
            cluster.diagnose(context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName(), Cluster.DIAGNOSTICS, null);
        }
    }
}
