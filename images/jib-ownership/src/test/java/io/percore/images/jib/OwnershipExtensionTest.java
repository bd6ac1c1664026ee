package io.percore.images.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ContainerBuildPlan;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.plugins.extension.ExtensionLogger;
import com.google.cloud.tools.jib.plugins.extension.JibPluginExtensionException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OwnershipExtensionTest {

    private static final ExtensionLogger QUIET = (level, message) -> { };

    private static FileEntry entry(String path) {
        return new FileEntry(Path.of("/src" + path), AbsoluteUnixPath.get(path), FilePermissions.DEFAULT_FOLDER_PERMISSIONS,
                Instant.EPOCH, "");
    }

    private static ContainerBuildPlan plan() {
        return ContainerBuildPlan.builder()
                .addLayer(FileEntriesLayer.builder().setName("extra files")
                        .addEntry(entry("/data")).addEntry(entry("/database")).addEntry(entry("/home/nonroot"))
                        .addEntry(entry("/home/nonroot/.cache")).addEntry(entry("/opt/java/bin/java")).build())
                .addLayer(FileEntriesLayer.builder().setName("classes").addEntry(entry("/app/classes/A.class")).build())
                .build();
    }

    private static Map<String, String> owners(ContainerBuildPlan plan) {
        return plan.getLayers().stream().flatMap(l -> ((FileEntriesLayer) l).getEntries().stream())
                .collect(Collectors.toMap(e -> e.getExtractionPath().toString(), FileEntry::getOwnership));
    }

    @Test
    void ownsEachPathAndWhatIsUnderItOnly() throws JibPluginExtensionException {
        ContainerBuildPlan result = new OwnershipExtension().extendContainerBuildPlan(plan(),
                Map.of("owner", "65532:65532", "paths", "/data, /home/nonroot"), Optional.empty(), null, QUIET);

        assertThat(owners(result)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/data", "65532:65532",
                "/database", "",                       // a sibling with the same prefix is not under /data
                "/home/nonroot", "65532:65532",
                "/home/nonroot/.cache", "65532:65532",
                "/opt/java/bin/java", "",
                "/app/classes/A.class", ""));
        assertThat(result.getLayers()).extracting(l -> l.getName()).containsExactly("extra files", "classes");
    }

    @Test
    void aPathThatMatchesNothingFailsTheBuild() {
        assertThatThrownBy(() -> new OwnershipExtension().extendContainerBuildPlan(plan(),
                Map.of("owner", "65532:65532", "paths", "/data,/var/lib/percore"), Optional.empty(), null, QUIET))
                .isInstanceOf(JibPluginExtensionException.class).hasMessageContaining("[/var/lib/percore]");
    }

    @Test
    void ownerMustBeNumeric() {
        for (String owner : List.of("nonroot", "65532", "", "65532:nonroot")) {
            assertThatThrownBy(() -> new OwnershipExtension().extendContainerBuildPlan(plan(),
                    Map.of("owner", owner, "paths", "/data"), Optional.empty(), null, QUIET))
                    .isInstanceOf(JibPluginExtensionException.class).hasMessageContaining("uid:gid");
        }
    }
}
