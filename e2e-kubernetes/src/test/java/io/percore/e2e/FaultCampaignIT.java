package io.percore.e2e;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 74's campaign, the faults that hit the whole node: the operator's leader deleted (alone, and in the same second
 * as the primary's SIGKILL) and the kubelet stopped and started again, each once in the seed's order. Alone on the node
 * (the others' bounds, as MigrationIT's 1 s pause of writes, assume a control plane that stays; beside it,
 * TlsAndLiveConfigIT once saw its Deployment rolled at a change of leader and rolled back at the next: each operator wrote
 * the TLS bundle's keystore in its JVM's order of a Map.of, so the config hash differed, fixed since, ApplicationYamlOrderTest).
 * The faults that reach only the campaign's own pods run beside the other scenarios: {@link PodFaultCampaignIT}.
 *
 * <p>A long campaign ({@code -Dpercore.campaign.faults=N}) runs here, every kind once and then drawn at random from every
 * kind, pairs among them, as before the build's campaign was split in two.
 */
@Order(9)
@Isolated
class FaultCampaignIT extends FaultCampaign {

    @Override
    List<Kind> kinds() {
        return LONG ? List.of(Kind.values()) : Arrays.stream(Kind.values()).filter(Kind::nodeWide).toList();
    }

    @Override
    String namespaceName() {
        return "e2e-campaign";
    }
}
