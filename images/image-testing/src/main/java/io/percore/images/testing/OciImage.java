package io.percore.images.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * An image tarball as {@code jib:buildTar} writes it: an OCI image layout ({@code oci-layout},
 * {@code index.json}, {@code blobs/sha256/…}) or Docker's {@code docker save} format
 * ({@code manifest.json}, {@code config.json}, {@code <digest>.tar.gz}). Reading it checks every
 * digest (blobs against their names, uncompressed layers against the config's {@code diff_ids}),
 * then gives the configuration and the merged file tree of the layers.
 */
public final class OciImage {

    /** A file of the image's file system, as the last layer that wrote it left it. */
    public record Entry(String path, Type type, int mode, int uid, int gid, long size, String linkName, int layer) {

        public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER }

        /** Permission bits with setuid/setgid/sticky ({@code 07777}). */
        public int permissions() {
            return mode & 07777;
        }

        public String owner() {
            return uid + ":" + gid;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path tarball;
    private final String format;
    private final String reference;
    private final JsonNode manifest;
    private final JsonNode config;
    private final List<String> layerBlobs;
    private final Map<String, Entry> files;

    private OciImage(Path tarball, String format, String reference, JsonNode manifest, JsonNode config,
                     List<String> layerBlobs, Map<String, Entry> files) {
        this.tarball = tarball;
        this.format = format;
        this.reference = reference;
        this.manifest = manifest;
        this.config = config;
        this.layerBlobs = layerBlobs;
        this.files = files;
    }

    public static OciImage read(Path tarball) throws IOException {
        try (TarFile tar = new TarFile(tarball.toFile())) {
            Map<String, TarArchiveEntry> byName = new LinkedHashMap<>();
            tar.getEntries().forEach(e -> byName.put(e.getName(), e));
            String format;
            String reference;
            JsonNode manifest;
            String configName;
            List<String> layers = new ArrayList<>();
            if (byName.containsKey("index.json")) {
                format = "OCI";
                JsonNode index = JSON.readTree(bytes(tar, byName, "index.json"));
                if (index.path("manifests").size() != 1) {
                    throw new IOException(tarball + ": index.json must list one manifest: " + index);
                }
                JsonNode descriptor = index.path("manifests").get(0);
                reference = descriptor.path("annotations").path("org.opencontainers.image.ref.name").asText(null);
                manifest = JSON.readTree(verifiedBlob(tar, byName, descriptor.path("digest").asText()));
                configName = blobName(manifest.path("config").path("digest").asText());
                verifiedBlob(tar, byName, manifest.path("config").path("digest").asText());
                for (JsonNode layer : manifest.path("layers")) {
                    String name = blobName(layer.path("digest").asText());
                    if (!byName.containsKey(name) || !sha256(tar, byName, name).equals(layer.path("digest").asText())) {
                        throw new IOException(tarball + ": layer " + name + " is missing or does not match its digest");
                    }
                    layers.add(name);
                }
            } else if (byName.containsKey("manifest.json")) {
                format = "Docker";
                manifest = JSON.readTree(bytes(tar, byName, "manifest.json"));
                if (manifest.size() != 1) {
                    throw new IOException(tarball + ": manifest.json must list one image: " + manifest);
                }
                JsonNode image = manifest.get(0);
                reference = image.path("RepoTags").path(0).asText(null);
                configName = image.path("Config").asText();
                for (JsonNode layer : image.path("Layers")) {
                    String name = layer.asText();
                    String digest = "sha256:" + name.replaceFirst("\\.tar\\.gz$", "");
                    if (!sha256(tar, byName, name).equals(digest)) {
                        throw new IOException(tarball + ": " + name + " does not match its name");
                    }
                    layers.add(name);
                }
            } else {
                throw new IOException(tarball + " has neither index.json (OCI layout) nor manifest.json (docker save)");
            }
            JsonNode config = JSON.readTree(bytes(tar, byName, configName));
            JsonNode diffIds = config.path("rootfs").path("diff_ids");
            if (diffIds.size() != layers.size()) {
                throw new IOException(tarball + ": " + layers.size() + " layers but " + diffIds.size() + " diff_ids");
            }
            Map<String, Entry> files = new TreeMap<>();
            for (int i = 0; i < layers.size(); i++) {
                String diffId = readLayer(tar, byName.get(layers.get(i)), i, files);
                if (!diffId.equals(diffIds.get(i).asText())) {
                    throw new IOException(tarball + ": layer " + i + " is " + diffId + ", the config says " + diffIds.get(i));
                }
            }
            return new OciImage(tarball, format, reference, manifest, config, layers, files);
        }
    }

    /** {@code OCI} or {@code Docker}. */
    public String format() {
        return format;
    }

    /** The reference the tarball names ({@code org.opencontainers.image.ref.name}, or the first RepoTag). */
    public String reference() {
        return reference;
    }

    public JsonNode manifest() {
        return manifest;
    }

    /** The image configuration (architecture, os, config, rootfs, history). */
    public JsonNode config() {
        return config;
    }

    /** What a runtime reads: Entrypoint, Cmd, Env, User, WorkingDir, ExposedPorts, Labels. */
    public JsonNode containerConfig() {
        return config.path("config");
    }

    /** The Env list as a map (a later duplicate wins, as in a runtime). */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : containerConfig().path("Env")) {
            String s = e.asText();
            int eq = s.indexOf('=');
            env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        return env;
    }

    /** Entrypoint followed by Cmd: what the container runs. */
    public List<String> command() {
        List<String> argv = new ArrayList<>();
        containerConfig().path("Entrypoint").forEach(n -> argv.add(n.asText()));
        containerConfig().path("Cmd").forEach(n -> argv.add(n.asText()));
        return argv;
    }

    public int layerCount() {
        return layerBlobs.size();
    }

    /** Every path of the merged file system ("/opt/java/bin/java", "/" excluded). */
    public Map<String, Entry> files() {
        return files;
    }

    public Optional<Entry> file(String path) {
        return Optional.ofNullable(files.get(path));
    }

    /** The content of a regular file of the merged file system. */
    public byte[] content(String path) throws IOException {
        Entry entry = files.get(path);
        if (entry == null || entry.type() != Entry.Type.FILE) {
            throw new IOException(path + " is not a file of the image");
        }
        try (TarFile tar = new TarFile(tarball.toFile())) {
            TarArchiveEntry blob = tar.getEntries().stream().filter(e -> e.getName().equals(layerBlobs.get(entry.layer())))
                    .findFirst().orElseThrow();
            try (TarArchiveInputStream layer = new TarArchiveInputStream(new GZIPInputStream(tar.getInputStream(blob)))) {
                for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
                    if (normalize(e.getName()).equals(path)) {
                        return layer.readAllBytes();
                    }
                }
            }
        }
        throw new IOException(path + " not found in layer " + entry.layer());
    }

    /**
     * Writes the image's root file system under {@code root}, applying the layers in order.
     * Owners are kept when the caller may set them (root); modes always, setuid/sticky included.
     */
    public void extractTo(Path root) throws IOException {
        Files.createDirectories(root);
        boolean chown = isRoot();
        List<Runnable> directoryModes = new ArrayList<>();
        try (TarFile tar = new TarFile(tarball.toFile())) {
            for (String blobName : layerBlobs) {
                TarArchiveEntry blob = tar.getEntries().stream().filter(e -> e.getName().equals(blobName)).findFirst().orElseThrow();
                try (TarArchiveInputStream layer = new TarArchiveInputStream(new GZIPInputStream(tar.getInputStream(blob)))) {
                    for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
                        String path = normalize(e.getName());
                        if (path.equals("/")) {
                            continue;
                        }
                        Path target = resolveInside(root, path);
                        String base = target.getFileName().toString();
                        if (base.startsWith(".wh.")) {
                            Path whited = base.equals(".wh..wh..opq") ? target.getParent() : target.resolveSibling(base.substring(4));
                            deleteTree(whited, base.equals(".wh..wh..opq"));
                            continue;
                        }
                        Files.createDirectories(target.getParent());
                        if (e.isDirectory()) {
                            Files.createDirectories(target);
                        } else {
                            deleteTree(target, false);
                            if (e.isSymbolicLink()) {
                                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                            } else if (e.isLink()) {
                                Files.createLink(target, resolveInside(root, normalize(e.getLinkName())));
                            } else if (e.isFile()) {
                                try (OutputStream out = Files.newOutputStream(target)) {
                                    layer.transferTo(out);
                                }
                            } else {
                                continue;  // devices, fifos: a runtime makes its own /dev
                            }
                        }
                        if (e.isSymbolicLink()) {
                            if (chown) {
                                Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
                                Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
                            }
                            continue;
                        }
                        // as a runtime unpacks it: a class data archive made from this tree checks its jars' times
                        java.nio.file.attribute.FileTime mtime = java.nio.file.attribute.FileTime.from(e.getModTime().toInstant());
                        int mode = e.getMode() & 07777;
                        int uid = (int) e.getLongUserId();
                        int gid = (int) e.getLongGroupId();
                        Runnable apply = () -> {
                            try {
                                if (chown) {
                                    Files.setAttribute(target, "unix:uid", uid);
                                    Files.setAttribute(target, "unix:gid", gid);
                                }
                                Files.setAttribute(target, "unix:mode", mode);  // after chown, which clears setuid
                                Files.setLastModifiedTime(target, mtime);
                            } catch (IOException ex) {
                                throw new UncheckedIOException(ex);
                            }
                        };
                        if (e.isDirectory()) {
                            directoryModes.add(apply);  // last: a read-only directory must not stop its own extraction
                        } else {
                            apply.run();
                        }
                    }
                }
            }
        }
        for (int i = directoryModes.size() - 1; i >= 0; i--) {
            directoryModes.get(i).run();
        }
    }

    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String readLayer(TarFile tar, TarArchiveEntry blob, int index, Map<String, Entry> files) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream gunzipped = new DigestInputStream(new GZIPInputStream(tar.getInputStream(blob)), sha);
             TarArchiveInputStream layer = new TarArchiveInputStream(gunzipped)) {
            for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
                String path = normalize(e.getName());
                if (path.equals("/")) {
                    continue;
                }
                String base = path.substring(path.lastIndexOf('/') + 1);
                if (base.equals(".wh..wh..opq")) {
                    String dir = path.substring(0, path.lastIndexOf('/'));
                    files.keySet().removeIf(p -> p.startsWith(dir + "/") && files.get(p).layer() < index);
                    continue;
                }
                if (base.startsWith(".wh.")) {
                    String removed = path.substring(0, path.lastIndexOf('/') + 1) + base.substring(4);
                    files.keySet().removeIf(p -> p.equals(removed) || p.startsWith(removed + "/"));
                    continue;
                }
                Entry.Type type = e.isDirectory() ? Entry.Type.DIRECTORY : e.isSymbolicLink() ? Entry.Type.SYMLINK
                        : e.isLink() ? Entry.Type.HARDLINK : e.isFile() ? Entry.Type.FILE : Entry.Type.OTHER;
                files.put(path, new Entry(path, type, e.getMode(), (int) e.getLongUserId(), (int) e.getLongGroupId(),
                        e.getSize(), e.getLinkName(), index));
            }
            gunzipped.transferTo(OutputStream.nullOutputStream());  // the tar's end padding counts in the digest
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    static String normalize(String name) {
        String p = name;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals(".") || p.isEmpty()) {
            return "/";
        }
        return p.startsWith("/") ? p : "/" + p;
    }

    private static Path resolveInside(Path root, String path) throws IOException {
        Path resolved = root.resolve(path.substring(1)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IOException("entry escapes the root: " + path);
        }
        return resolved;
    }

    private static void deleteTree(Path path, boolean contentsOnly) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(path)) {
                for (Path child : children.toList()) {
                    deleteTree(child, false);
                }
            }
        }
        if (!contentsOnly) {
            Files.delete(path);
        }
    }

    private static String blobName(String digest) throws IOException {
        if (!digest.startsWith("sha256:")) {
            throw new IOException("not a sha256 digest: " + digest);
        }
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    private static byte[] verifiedBlob(TarFile tar, Map<String, TarArchiveEntry> byName, String digest) throws IOException {
        String name = blobName(digest);
        byte[] content = bytes(tar, byName, name);
        String actual = "sha256:" + HexFormat.of().formatHex(sha256().digest(content));
        if (!actual.equals(digest)) {
            throw new IOException(name + " has digest " + actual);
        }
        return content;
    }

    private static byte[] bytes(TarFile tar, Map<String, TarArchiveEntry> byName, String name) throws IOException {
        TarArchiveEntry entry = byName.get(name);
        if (entry == null) {
            throw new IOException("no " + name + " in the tarball");
        }
        try (InputStream in = tar.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static String sha256(TarFile tar, Map<String, TarArchiveEntry> byName, String name) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(tar.getInputStream(byName.get(name)), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
