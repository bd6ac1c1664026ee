package io.percore.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.reconcile.PersistenceGuard;
import io.percore.operator.replication.ReplicationSpecs;
import io.percore.operator.sizing.SizingRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples the documentation site shows (pymdownx.snippets includes these files; the real-node suite applies most of
 * them as written) are specs the operator accepts, every field known.
 */
class ExampleResourceTest {

    static Stream<String> examples() throws Exception {
        try (var files = Files.list(Path.of("examples"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    private static PercoreServiceSpec read(String file) throws Exception {
        JsonNode example = new YAMLMapper().readTree(Files.readString(Path.of("examples", file)));
        assertThat(example.path("kind").asText()).isEqualTo("PercoreService");
        // Strict: a misspelt field in an example fails here (the API server would prune it silently).
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .treeToValue(example.get("spec"), PercoreServiceSpec.class);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsAValidSpecWithEveryFieldKnown(String file) throws Exception {
        PercoreServiceSpec spec = read(file);
        assertThat(PersistenceGuard.specProblems(spec.getPersistence())).isEmpty();
        assertThat(ReplicationSpecs.specProblems(spec)).isEmpty();
        // as the pods will read it: with spec.tls's bundle on its servers, as the operator checks it
        assertThat(new SchemaConfigCheck().check(io.percore.operator.config.ApplicationYaml.withTls(spec.configOrEmpty(), spec.getTls()))).isEmpty();
        assertThat(io.percore.operator.migration.MigrationSpecs.specProblems(spec)).isEmpty();
        assertThat(io.percore.operator.users.UserSpecs.specProblems(spec.usersOrEmpty(), java.util.Set.of())).isEmpty();
        assertThat(io.percore.operator.backupplan.BackupSpecs.specProblems(spec)).isEmpty();
        SizingRequests.fromSpec(spec);
    }

    @Test
    void theProductionExampleKeepsItsSnapshotAndTheOthersRunOnSharedCores() throws Exception {
        assertThat(read("percoreservice.yaml").getPersistence().getMode()).isEqualTo(Persistence.SNAPSHOT);
        for (String dev : List.of("small.yaml", "replicated.yaml", "cluster.yaml", "cluster-replicated.yaml", "tls.yaml", "migrate.yaml", "users.yaml", "backup.yaml",
                "restore.yaml", "cluster-backup.yaml", "cluster-restore.yaml")) {
            assertThat(read(dev).getCpuPerShard()).as(dev).isEqualTo("100m");
        }
        // the pages' field-by-field examples (getting started, replication, cluster): whole CPUs, as a production spec
        for (String pinned : List.of("pinned.yaml", "replicated-with-password.yaml", "cluster-with-password.yaml")) {
            assertThat(read(pinned).getCpuPerShard()).as(pinned).isNull();
        }
        assertThat(examples()).containsExactlyInAnyOrder("backup.yaml", "cluster.yaml", "cluster-replicated.yaml", "migrate.yaml", "percoreservice.yaml", "replicated.yaml",
                "restore.yaml", "small.yaml", "tls.yaml", "users.yaml", "pinned.yaml", "replicated-with-password.yaml", "cluster-with-password.yaml",
                "cluster-backup.yaml", "cluster-restore.yaml");
        assertThat(read("backup.yaml").getBackup().getDestination().getCredentialsSecretName())
                .isEqualTo(read("restore.yaml").getRestoreFrom().getDestination().getCredentialsSecretName());
        // the cluster's restore reads the cluster's backups, into as many primaries
        PercoreServiceSpec clusterBackup = read("cluster-backup.yaml");
        PercoreServiceSpec clusterRestore = read("cluster-restore.yaml");
        assertThat(clusterRestore.getRestoreFrom().getDestination().getBucket()).isEqualTo(clusterBackup.getBackup().getDestination().getBucket());
        assertThat(clusterRestore.getRestoreFrom().getDestination().getPrefix()).isEqualTo(clusterBackup.getBackup().getDestination().getPrefix());
        assertThat(clusterRestore.getShards()).isEqualTo(clusterBackup.getShards());
    }
}
