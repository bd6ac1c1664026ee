package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.replication.PrimaryIdentity.Kind;
import org.junit.jupiter.api.Test;

/** The decision on CLUSTER MYID's reply at a replica's link address ({@link PrimaryIdentity}). */
class PrimaryIdentityTest {

    private static final String LAYOUTS = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
    private static final String RESTARTED = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";

    @Test
    void theLayoutsPrimaryIsFollowedAnyOtherIdIsNot() {
        assertThat(PrimaryIdentity.judge(LAYOUTS, LAYOUTS)).isEqualTo(new PrimaryIdentity.Verdict(Kind.SAME, LAYOUTS));
        assertThat(PrimaryIdentity.judge(LAYOUTS, LAYOUTS.toUpperCase())).extracting(PrimaryIdentity.Verdict::kind).isEqualTo(Kind.SAME);
        assertThat(PrimaryIdentity.judge(LAYOUTS, RESTARTED)).isEqualTo(new PrimaryIdentity.Verdict(Kind.OTHER, RESTARTED));
        assertThat(PrimaryIdentity.judge(LAYOUTS, "")).isEqualTo(new PrimaryIdentity.Verdict(Kind.OTHER, "invalid"));
        // a peer's reply reaches INFO and the log only as a node id
        assertThat(PrimaryIdentity.judge(LAYOUTS, "x,expected=" + LAYOUTS + "\rinjected:1"))
                .isEqualTo(new PrimaryIdentity.Verdict(Kind.OTHER, "invalid"));
        assertThat(PrimaryIdentity.judge(LAYOUTS, "-ERR " + "x".repeat(60_000)).found()).hasSize(PrimaryIdentity.MAX_SHOWN);
    }

    @Test
    void aNodeNotInClusterModeIsAnotherNodeAnErrorThatSaysNothingOfItIsATryThatFailed() {
        // redis-server 7.0.15 without cluster-enabled, and one without the command
        assertThat(PrimaryIdentity.judge(LAYOUTS, "-ERR This instance has cluster support disabled"))
                .isEqualTo(new PrimaryIdentity.Verdict(Kind.OTHER, "ERR This instance has cluster support disabled"));
        assertThat(PrimaryIdentity.judge(LAYOUTS, "-ERR unknown command 'CLUSTER'")).extracting(PrimaryIdentity.Verdict::kind)
                .isEqualTo(Kind.OTHER);
        for (String notNow : new String[] {"-LOADING Redis is loading the dataset in memory", "-NOAUTH Authentication required.",
                "-BUSY Redis is busy running a script.", "-NOPERM this user has no permissions to run the 'cluster|myid' command",
                "-ERR operation not permitted"}) {
            assertThat(PrimaryIdentity.judge(LAYOUTS, notNow)).as(notNow).extracting(PrimaryIdentity.Verdict::kind).isEqualTo(Kind.NOT_NOW);
        }
    }

    @Test
    void theRefusalNamesTheAddressBothNodesAndWhatResolvesIt() {
        assertThat(PrimaryIdentity.refusal("10.0.0.7:6379", LAYOUTS, PrimaryIdentity.judge(LAYOUTS, RESTARTED)))
                .startsWith("primary at 10.0.0.7:6379 is now node " + RESTARTED + ", the layout's primary is " + LAYOUTS
                        + ": waiting for the control plane");
        assertThat(PrimaryIdentity.refusal("10.0.0.7:6379", LAYOUTS, PrimaryIdentity.judge(LAYOUTS, "-ERR This instance has cluster support disabled")))
                .startsWith("primary at 10.0.0.7:6379 answers CLUSTER MYID with 'ERR This instance has cluster support disabled',"
                        + " the layout's primary is " + LAYOUTS);
    }
}
