package io.percore.operator.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.PercoreServiceSpec;
import org.junit.jupiter.api.Test;

class MigrationSpecsTest {

    private static PercoreServiceSpec spec(String timeout) {
        PercoreServiceSpec spec = new PercoreServiceSpec();
        MigrateFrom m = new MigrateFrom("redis.legacy", 6379);
        m.setCutoverTimeout(timeout);
        spec.setMigrateFrom(m);
        return spec;
    }

    @Test
    void theCutOverTimeoutIsBoundedAndReadable() {
        assertThat(MigrationSpecs.specProblems(spec(null))).isEmpty();
        assertThat(MigrationSpecs.specProblems(spec("500ms"))).isEmpty();
        assertThat(MigrationSpecs.specProblems(spec("60s"))).isEmpty();
        assertThat(MigrationSpecs.specProblems(spec("50ms"))).singleElement().asString().contains("outside 100ms..60s");
        assertThat(MigrationSpecs.specProblems(spec("2m"))).singleElement().asString().contains("outside 100ms..60s");
        assertThat(MigrationSpecs.specProblems(spec("soon"))).singleElement().asString().startsWith("spec.migrateFrom.cutoverTimeout");
    }

    @Test
    void aClusteredServiceCannotTakeASingleRedis() {
        PercoreServiceSpec spec = spec(null);
        spec.setCluster(new Cluster(true));
        assertThat(MigrationSpecs.specProblems(spec)).singleElement().asString().contains("spec.migrateFrom with spec.cluster");
    }

    @Test
    void theServicesDatabasesAreWhatItsEnvironmentSaysElseSixteen() {
        PercoreServiceSpec spec = spec(null);
        assertThat(MigrationSpecs.databases(spec)).isEqualTo(16);
        spec.setEnv(java.util.Map.of(MigrationSpecs.DATABASES_ENV, "32"));
        assertThat(MigrationSpecs.databases(spec)).isEqualTo(32);
        spec.setEnv(java.util.Map.of(MigrationSpecs.DATABASES_ENV, " 4 "));
        assertThat(MigrationSpecs.databases(spec)).isEqualTo(4);
        for (String bad : new String[] {"0", "-3", "many", ""}) {
            spec.setEnv(java.util.Map.of(MigrationSpecs.DATABASES_ENV, bad));
            assertThat(MigrationSpecs.databases(spec)).as(bad).isEqualTo(16);
        }
    }

    @Test
    void noMigrationNoProblem() {
        assertThat(MigrationSpecs.specProblems(new PercoreServiceSpec())).isEmpty();
    }
}
