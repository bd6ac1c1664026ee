package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pod placement, copied to the pod template and honoured by the planner when choosing nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Placement {

    @JsonPropertyDescription("Node labels a node must carry.")
    private Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Tolerations; the planner skips nodes whose NoSchedule/NoExecute taints are not tolerated.")
    private List<Toleration> tolerations = new ArrayList<>();

    @JsonPropertyDescription("Pod affinity rules; requiredDuringScheduling node affinity also filters the planner's nodes.")
    private Affinity affinity;

    public Map<String, String> getNodeSelector() { return nodeSelector; }
    public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
    public List<Toleration> getTolerations() { return tolerations; }
    public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
    public Affinity getAffinity() { return affinity; }
    public void setAffinity(Affinity affinity) { this.affinity = affinity; }
}
