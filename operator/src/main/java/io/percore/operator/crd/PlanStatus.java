package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The sizing plan as written to {@code status.plan}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlanStatus {

    private Integer replicas;
    private Integer shardsPerPod;
    private Integer totalShards;
    private Integer cpusPerPod;
    private String cpuRequestPerPod;
    private Integer reservedCpus;
    private String memoryPerPod;
    private String mode;
    private List<String> eligibleNodes = new ArrayList<>();
    private List<String> reasons = new ArrayList<>();

    public Integer getReplicas() { return replicas; }
    public void setReplicas(Integer replicas) { this.replicas = replicas; }
    public Integer getShardsPerPod() { return shardsPerPod; }
    public void setShardsPerPod(Integer shardsPerPod) { this.shardsPerPod = shardsPerPod; }
    public Integer getTotalShards() { return totalShards; }
    public void setTotalShards(Integer totalShards) { this.totalShards = totalShards; }
    public Integer getCpusPerPod() { return cpusPerPod; }
    public void setCpusPerPod(Integer cpusPerPod) { this.cpusPerPod = cpusPerPod; }
    /** Set only when the pods request less CPU than {@code cpusPerPod} (spec.cpuPerShard: Burstable, shared cores). */
    public String getCpuRequestPerPod() { return cpuRequestPerPod; }
    public void setCpuRequestPerPod(String cpuRequestPerPod) { this.cpuRequestPerPod = cpuRequestPerPod; }
    public Integer getReservedCpus() { return reservedCpus; }
    public void setReservedCpus(Integer reservedCpus) { this.reservedCpus = reservedCpus; }
    public String getMemoryPerPod() { return memoryPerPod; }
    public void setMemoryPerPod(String memoryPerPod) { this.memoryPerPod = memoryPerPod; }
    public String getMode() { return mode; }
    public void setMode(String mode) { this.mode = mode; }
    public List<String> getEligibleNodes() { return eligibleNodes; }
    public void setEligibleNodes(List<String> eligibleNodes) { this.eligibleNodes = eligibleNodes; }
    public List<String> getReasons() { return reasons; }
    public void setReasons(List<String> reasons) { this.reasons = reasons; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PlanStatus p)) {
            return false;
        }
        return Objects.equals(replicas, p.replicas) && Objects.equals(shardsPerPod, p.shardsPerPod)
                && Objects.equals(totalShards, p.totalShards) && Objects.equals(cpusPerPod, p.cpusPerPod)
                && Objects.equals(cpuRequestPerPod, p.cpuRequestPerPod) && Objects.equals(reservedCpus, p.reservedCpus) && Objects.equals(memoryPerPod, p.memoryPerPod)
                && Objects.equals(mode, p.mode) && Objects.equals(eligibleNodes, p.eligibleNodes)
                && Objects.equals(reasons, p.reasons);
    }

    @Override
    public int hashCode() {
        return Objects.hash(replicas, shardsPerPod, totalShards, cpusPerPod, cpuRequestPerPod, reservedCpus, memoryPerPod, mode, eligibleNodes, reasons);
    }
}
