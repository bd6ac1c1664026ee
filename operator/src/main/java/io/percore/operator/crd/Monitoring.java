package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Prometheus scraping options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Monitoring {

    @JsonPropertyDescription("Create a monitoring.coreos.com/v1 ServiceMonitor (only when its CRD is installed).")
    private Boolean serviceMonitor;

    @JsonPropertyDescription("Scrape interval for the ServiceMonitor, e.g. 30s.")
    private String interval;

    public Boolean getServiceMonitor() { return serviceMonitor; }
    public void setServiceMonitor(Boolean serviceMonitor) { this.serviceMonitor = serviceMonitor; }
    public String getInterval() { return interval; }
    public void setInterval(String interval) { this.interval = interval; }
}
