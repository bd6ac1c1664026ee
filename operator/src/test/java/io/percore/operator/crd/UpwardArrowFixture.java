package io.percore.operator.crd;

import io.percore.operator.reconcile.WorkloadRenderer;

/** A class in the bottom package that reaches up to the glue: ArchitectureTest must report it (tests only). */
public final class UpwardArrowFixture {

    static String configMapName(PercoreService s) {
        return WorkloadRenderer.configMapName(s);
    }
}
