package io.percore.images.jib;

import com.google.cloud.tools.jib.api.buildplan.ContainerBuildPlan;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.LayerObject;
import com.google.cloud.tools.jib.maven.extension.JibMavenPluginExtension;
import com.google.cloud.tools.jib.maven.extension.MavenData;
import com.google.cloud.tools.jib.plugins.extension.ExtensionLogger;
import com.google.cloud.tools.jib.plugins.extension.JibPluginExtensionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Gives some paths of the image to a non-root owner. Jib's {@code <extraDirectories>} set modes
 * but every entry is {@code 0:0}; a directory the application writes ({@code /data}, the user's
 * home) must belong to the image's user, as {@code chown} in a Dockerfile would make it.
 *
 * <p>Properties ({@code <pluginExtension><properties>}):
 * <ul>
 *   <li>{@code owner}: {@code uid:gid}, numeric;</li>
 *   <li>{@code paths}: comma-separated absolute paths in the image; each path and everything
 *       under it gets the owner. A path that matches no entry of any layer fails the build (a
 *       typo must not leave a directory silently owned by root).</li>
 * </ul>
 */
public final class OwnershipExtension implements JibMavenPluginExtension<Void> {

    private static final Pattern OWNER = Pattern.compile("\\d+:\\d+");

    @Override
    public Optional<Class<Void>> getExtraConfigType() {
        return Optional.empty();
    }

    @Override
    public ContainerBuildPlan extendContainerBuildPlan(ContainerBuildPlan buildPlan, Map<String, String> properties,
                                                       Optional<Void> extraConfig, MavenData mavenData,
                                                       ExtensionLogger logger) throws JibPluginExtensionException {
        String owner = properties.getOrDefault("owner", "");
        if (!OWNER.matcher(owner).matches()) {
            throw new JibPluginExtensionException(getClass(), "property 'owner' must be numeric uid:gid, was '" + owner + "'");
        }
        List<String> paths = Arrays.stream(properties.getOrDefault("paths", "").split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).toList();
        for (String path : paths) {
            if (!path.startsWith("/") || (path.endsWith("/") && path.length() > 1)) {
                throw new JibPluginExtensionException(getClass(), "property 'paths': '" + path + "' is not an absolute path without a trailing slash");
            }
        }
        if (paths.isEmpty()) {
            throw new JibPluginExtensionException(getClass(), "property 'paths' names no path");
        }

        Map<String, Integer> matches = new LinkedHashMap<>();
        paths.forEach(p -> matches.put(p, 0));
        List<LayerObject> layers = new ArrayList<>();
        for (LayerObject layer : buildPlan.getLayers()) {
            if (!(layer instanceof FileEntriesLayer fileLayer)) {
                layers.add(layer);
                continue;
            }
            List<FileEntry> entries = new ArrayList<>();
            for (FileEntry entry : fileLayer.getEntries()) {
                String target = entry.getExtractionPath().toString();
                String matched = paths.stream().filter(p -> target.equals(p) || target.startsWith(p + "/")).findFirst().orElse(null);
                if (matched == null) {
                    entries.add(entry);
                } else {
                    matches.merge(matched, 1, Integer::sum);
                    entries.add(new FileEntry(entry.getSourceFile(), entry.getExtractionPath(), entry.getPermissions(),
                            entry.getModificationTime(), owner));
                }
            }
            layers.add(fileLayer.toBuilder().setEntries(entries).build());
        }
        List<String> unmatched = matches.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
        if (!unmatched.isEmpty()) {
            throw new JibPluginExtensionException(getClass(), "no file or directory of the image is at " + unmatched
                    + " (add it to <extraDirectories>: Jib's implicit parent directories cannot be re-owned)");
        }
        logger.log(ExtensionLogger.LogLevel.INFO, "owner " + owner + " for " + matches);
        return buildPlan.toBuilder().setLayers(layers).build();
    }
}
