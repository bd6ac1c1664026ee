package io.percore.e2e;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;

/**
 * Issue 74's campaign, the faults that reach only the campaign's own pods, each once in the seed's order: SIGKILL of the
 * primary, of a replica, of every pod; a pod and every pod deleted; a process frozen and thawed; a pod cut off from the
 * operator, the pods or both (iptables in its own network namespace); the primary's claim filled (its own file system,
 * on volumes of a class of their own, {@link Volumes#SMALL_CLASS}). Nothing of these reaches another namespace, so the
 * class runs beside the other scenarios instead of alone after them; the faults that hit the whole node are
 * {@link FaultCampaignIT}'s. Last in the order: the thread that joins the scenarios runs the last first, so the longest
 * class begins with the suite.
 */
@Order(12)
class PodFaultCampaignIT extends FaultCampaign {

    @BeforeAll
    static void notInALongCampaign() {
        // a long campaign draws from every kind in FaultCampaignIT, alone on the node (failsafe counts an aborted class
        // as no test run: the line says why)
        if (LONG) {
            Progress.say("campaign e2e-campaign-pods: not run, a long campaign (-Dpercore.campaign.faults) runs every kind in FaultCampaignIT");
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(LONG, "a long campaign (-Dpercore.campaign.faults) runs in FaultCampaignIT");
    }

    @Override
    List<Kind> kinds() {
        return Arrays.stream(Kind.values()).filter(k -> !k.nodeWide()).toList();
    }

    @Override
    String namespaceName() {
        return "e2e-campaign-pods";
    }
}
