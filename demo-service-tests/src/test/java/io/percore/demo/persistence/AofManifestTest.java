package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest as Redis 7.0 writes and reads it: its lines, a rewrite's turn of the files, and what is refused with its line. */
class AofManifestTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatRedisWritesAndWritesItBackTheSame() throws Exception {
        String redis = "file appendonly.aof.3.base.rdb seq 3 type b\n"
                + "file appendonly.aof.2.incr.aof seq 2 type h\n"
                + "file appendonly.aof.5.incr.aof seq 5 type i\n"
                + "file appendonly.aof.6.incr.aof seq 6 type i\n";
        Files.writeString(dir.resolve("appendonly.aof.manifest"), "# a comment\n\n" + redis);
        AofManifest m = AofManifest.read(dir.resolve("appendonly.aof.manifest"));
        assertThat(m.base().name()).isEqualTo("appendonly.aof.3.base.rdb");
        assertThat(m.incrs()).extracting(AofManifest.AofFile::seq).containsExactly(5L, 6L);
        assertThat(m.history()).hasSize(1);
        assertThat(m.text()).isEqualTo(redis);
        m.write(dir, "copy.aof");
        assertThat(Files.readString(dir.resolve("copy.aof.manifest"))).isEqualTo(redis);
        assertThat(dir.resolve("temp-copy.aof.manifest")).doesNotExist();
    }

    @Test
    void aRewriteTurnsTheFilesOver() {
        AofManifest m = AofManifest.EMPTY.withNewIncr("appendonly.aof");
        assertThat(m.lastIncr().name()).isEqualTo("appendonly.aof.1.incr.aof");
        AofManifest.AofFile base = m.nextBase("appendonly.aof");
        assertThat(base.name()).isEqualTo("appendonly.aof.1.base.rdb");
        AofManifest rotated = m.withNewIncr("appendonly.aof"); // the rewrite's point
        AofManifest after = rotated.rewritten(base, rotated.lastIncr().seq());
        assertThat(after.base()).isEqualTo(base);
        assertThat(after.incrs()).extracting(AofManifest.AofFile::name).containsExactly("appendonly.aof.2.incr.aof");
        assertThat(after.history()).extracting(AofManifest.AofFile::name).containsExactly("appendonly.aof.1.incr.aof");
        assertThat(after.nextBase("appendonly.aof").name()).isEqualTo("appendonly.aof.2.base.rdb");
    }

    @Test
    void aBadManifestIsRefusedNamingItsLine() throws Exception {
        Path f = dir.resolve("m");
        Files.writeString(f, "file a seq 1 type b\nfile b seq 1 type b\n");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("at line 2").hasMessageContaining("second base");
        Files.writeString(f, "file a seq 2 type i\nfile b seq 1 type i\n");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("at line 2").hasMessageContaining("out of order");
        Files.writeString(f, "file a seq x type i\n");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("at line 1").hasMessageContaining("seq is not a number");
        Files.writeString(f, "file ../a seq 1 type i\n");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("not a path");
        Files.writeString(f, "file a seq 1 type i");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("does not end with a newline");
        Files.writeString(f, "file a seq 1 type z\n");
        assertThatThrownBy(() -> AofManifest.read(f)).hasMessageContaining("unknown type z");
    }
}
