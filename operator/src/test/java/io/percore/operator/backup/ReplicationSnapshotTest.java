package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.operator.replication.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplicationSnapshot}: redis-server's snapshot in both of its forms (diskless, marked; from a file, sized),
 * and a source that breaks every bound a peer controls, each refused with its reason.
 */
class ReplicationSnapshotTest {

    static final ReplicationSnapshot.Options OPTIONS = new ReplicationSnapshot.Options(null, null, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(60), 1L << 30);
    static final String MARK = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    @Test
    void redisServersSnapshotDisklessAndFromItsFileIsTheRdbAndNothingElse() throws Exception {
        try (ServiceProcess redis = ServiceProcess.startRedis("pw", dir); RespPipe p = new RespPipe(redis.port, "pw")) {
            Dataset.seed(redis.port, "pw", 3000);
            ReplicationSnapshot.Options auth = new ReplicationSnapshot.Options(null, "pw", Duration.ofSeconds(5), Duration.ofSeconds(30),
                    Duration.ofSeconds(60), 1L << 30);
            for (String diskless : new String[] {"yes", "no"}) {
                p.call("CONFIG", "SET", "repl-diskless-sync", diskless);
                try (ReplicationSnapshot s = ReplicationSnapshot.open(new SourceAddress("127.0.0.1", redis.port), auth)) {
                    assertThat(s.declaredLength()).as("diskless %s", diskless).matches(l -> diskless.equals("yes") ? l == -1 : l > 0);
                    assertThat(s.replid()).hasSize(40);
                    RdbCheck.Summary summary = RdbCheck.check(s.payload(), OutputStream.nullOutputStream(), 1L << 30);
                    assertThat(summary.keys()).isEqualTo(3000);
                    assertThat(s.payload().read()).as("the payload ends with the RDB").isEqualTo(-1);
                }
            }
            // AUTH refused, and no password where one is needed
            ReplicationSnapshot.Options wrong = new ReplicationSnapshot.Options(null, "not-it", Duration.ofSeconds(5), Duration.ofSeconds(30),
                    Duration.ofSeconds(60), 1L << 30);
            assertFailure(() -> ReplicationSnapshot.open(new SourceAddress("127.0.0.1", redis.port), wrong), Failure.SOURCE_REFUSED, "WRONGPASS");
            assertFailure(() -> ReplicationSnapshot.open(new SourceAddress("127.0.0.1", redis.port), OPTIONS), Failure.SOURCE_REFUSED, "NOAUTH");
        }
    }

    /** The mark arrives split across reads, and the RDB with it, byte by byte: found wherever it lands. */
    @Test
    void aMarkedPayloadArrivingInPiecesEndsAtItsMark() throws Exception {
        byte[] rdb = emptyRdb();
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> {
            out.write("\n\n+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 777\r\n\n".getBytes(StandardCharsets.US_ASCII));
            out.write(("$EOF:" + MARK + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] all = concat(rdb, MARK.getBytes(StandardCharsets.US_ASCII), "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            for (byte b : all) {
                out.write(b);
                out.flush();
            }
        }); ReplicationSnapshot s = ReplicationSnapshot.open(source.address(), OPTIONS)) {
            assertThat(s.offset()).isEqualTo(777);
            assertThat(s.replid()).isEqualTo("8de1787ba490483314a4d30f1c628bc5025eb761");
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            RdbCheck.check(s.payload(), got, 1 << 20);
            assertThat(got.toByteArray()).isEqualTo(rdb);
            assertThat(source.commands()).containsExactly("REPLCONF capa eof", "REPLCONF rdb-only 1", "PSYNC ? -1");
        }
    }

    @Test
    void aSourceThatClosesInTheMiddleOfTheSnapshotIsNamed() throws Exception {
        byte[] rdb = emptyRdb();
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> {
            out.write(("+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 0\r\n$EOF:" + MARK + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(rdb, 0, rdb.length - 5);
        }); ReplicationSnapshot s = ReplicationSnapshot.open(source.address(), OPTIONS)) {
            assertThatThrownBy(() -> RdbCheck.check(s.payload(), OutputStream.nullOutputStream(), 1 << 20))
                    .isInstanceOfSatisfying(BackupIOException.class, e -> {
                        assertThat(e.failure().failure()).isEqualTo(Failure.SOURCE_CLOSED);
                        assertThat(e.getMessage()).contains("closed the connection after").contains("before its end");
                    });
        }
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> {
            out.write(("+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 0\r\n$" + rdb.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(rdb, 0, 12);
        }); ReplicationSnapshot s = ReplicationSnapshot.open(source.address(), OPTIONS)) {
            assertThatThrownBy(() -> RdbCheck.check(s.payload(), OutputStream.nullOutputStream(), 1 << 20))
                    .isInstanceOfSatisfying(BackupIOException.class, e -> assertThat(e.getMessage()).contains("after 12 bytes"));
        }
    }

    @Test
    void everyBoundAPeerControlsHolds() throws Exception {
        String full = "+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 0\r\n";
        ReplicationSnapshot.Options small = new ReplicationSnapshot.Options(null, null, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(2), 1 << 20);
        // a length beyond what is allowed
        refused(out -> out.write((full + "$99999999999999\r\n").getBytes(StandardCharsets.US_ASCII)), small, Failure.SNAPSHOT_TOO_LARGE,
                "99999999999999 bytes");
        // a line without end
        refused(out -> {
            out.write(full.getBytes(StandardCharsets.US_ASCII));
            out.write("$".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[RespConnection.MAX_LINE + 10]);
            out.flush();
            Thread.sleep(60_000);
        }, small, Failure.SOURCE_PROTOCOL, "longer than " + RespConnection.MAX_LINE);
        // silence after PSYNC: the stall timeout
        CountDownLatch release = new CountDownLatch(1);
        refused(out -> release.await(60, TimeUnit.SECONDS), small, Failure.SOURCE_STALLED, "sent nothing for 1 s");
        release.countDown();
        // keep-alives for ever: the start timeout
        refused(out -> {
            for (int i = 0; i < 600; i++) {
                out.write('\n');
                out.flush();
                Thread.sleep(100);
            }
        }, small, Failure.SOURCE_STALLED, "keep-alives but no snapshot for 2 s");
        // refusals and nonsense
        refused(out -> out.write("-NOMASTERLINK Can't SYNC while not connected with my master\r\n".getBytes(StandardCharsets.US_ASCII)),
                small, Failure.SOURCE_REFUSED, "NOMASTERLINK");
        refused(out -> out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), small, Failure.SOURCE_PROTOCOL,
                "not +FULLRESYNC");
        refused(out -> out.write((full + "+CONTINUE\r\n").getBytes(StandardCharsets.US_ASCII)), small, Failure.SOURCE_PROTOCOL,
                "where the snapshot's $<length> or $EOF:<mark> belongs");
        refused(out -> out.write((full + "-ERR BGSAVE failed\r\n").getBytes(StandardCharsets.US_ASCII)), small, Failure.SOURCE_REFUSED,
                "could not make its snapshot");
        refused(out -> { }, small, Failure.SOURCE_CLOSED, "closed the connection");
        // stalling in the middle of the payload
        refused(out -> {
            out.write((full + "$100\r\nREDIS").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(60_000);
        }, small, Failure.SOURCE_STALLED, "sent nothing for 1 s after 5 bytes");
    }

    @Test
    void nothingListeningIsUnreachable() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertFailure(() -> ReplicationSnapshot.open(new SourceAddress("127.0.0.1", port), OPTIONS), Failure.SOURCE_UNREACHABLE,
                "cannot connect to the source 127.0.0.1:" + port);
        assertFailure(() -> ReplicationSnapshot.open(new SourceAddress("no-such-host.invalid", 6379), OPTIONS), Failure.SOURCE_UNREACHABLE,
                "cannot resolve");
    }

    private static void refused(ScriptedSource.Script script, ReplicationSnapshot.Options options, Failure failure, String text) throws Exception {
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, script)) {
            assertThatThrownBy(() -> {
                try (ReplicationSnapshot s = ReplicationSnapshot.open(source.address(), options)) {
                    RdbCheck.check(s.payload(), OutputStream.nullOutputStream(), options.maxBytes());
                }
            }).satisfies(e -> {
                BackupException b = e instanceof BackupIOException io ? io.failure() : (BackupException) e;
                assertThat(b.failure()).as(b.getMessage()).isEqualTo(failure);
                assertThat(b.getMessage()).contains(text);
            });
        }
    }

    interface Open {
        void run() throws Exception;
    }

    private static void assertFailure(Open open, Failure failure, String text) {
        assertThatThrownBy(open::run).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.failure()).as(e.getMessage()).isEqualTo(failure);
            assertThat(e.getMessage()).contains(text);
        });
    }

    /** An RDB with no key: header, EOF, its CRC-64. */
    static byte[] emptyRdb() {
        byte[] body = "REDIS0010\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] rdb = new byte[body.length + 8];
        System.arraycopy(body, 0, rdb, 0, body.length);
        for (int i = 0; i < 8; i++) {
            rdb[body.length + i] = (byte) (crc >>> (8 * i));
        }
        return rdb;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
