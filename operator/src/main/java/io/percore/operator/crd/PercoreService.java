package io.percore.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A sharded Percore application: the operator sizes its pods to the nodes' CPU/NUMA topology
 * and renders a ConfigMap, Deployment, Service, PodDisruptionBudget and optional ServiceMonitor.
 */
@Group(PercoreService.GROUP)
@Version(PercoreService.VERSION)
@Kind("PercoreService")
@Plural("percoreservices")
@Singular("percoreservice")
@ShortNames("pcs")
@AdditionalPrinterColumn(name = "Shards", jsonPath = ".status.plan.totalShards", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.plan.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".status.plan.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class PercoreService extends CustomResource<PercoreServiceSpec, PercoreServiceStatus> implements Namespaced {

    public static final String GROUP = "percore.io";
    public static final String VERSION = "v1alpha1";
    public static final String CRD_NAME = "percoreservices." + GROUP;

    /**
     * No spec unless one is read or set: JOSDK builds a bare instance for its server-side-apply
     * finalizer patch, and any spec in that body (even {@code {}}) would be applied by the operator.
     */
    @Override
    protected PercoreServiceSpec initSpec() {
        return null;
    }

    @Override
    protected PercoreServiceStatus initStatus() {
        return null;
    }
}
