package io.percore.demo.admin;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.support.RespTestClient;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.Resp3Text;
import io.percore.demo.resp.RespReplies;

/**
 * Records {@link CommandMetadata}'s resource from a running redis-server 7.0.15: for every command,
 * its COMMAND INFO entry and its COMMAND DOCS, read in RESP3 and kept with their exact types.
 * Run by hand when the resource must be made again:
 * {@code java -cp ... io.percore.demo.admin.CommandMetadataRecorder <port> demo-service/src/main/resources/io/percore/demo/command/redis-commands.resp3}
 * ({@code CommandMetadataTest} checks that the resource still is what redis-server answers).
 */
public final class CommandMetadataRecorder {

    private CommandMetadataRecorder() {
    }

    public static void main(String[] args) throws IOException {
        record(Integer.parseInt(args[0]), Path.of(args[1]));
    }

    /** Reads every command's INFO and DOCS from the redis-server on {@code port} and writes them to {@code file}. */
    static void record(int port, Path file) throws IOException {
        Map<String, RedisMessage[]> commands = read(port);
        List<RedisMessage> map = new ArrayList<>();
        commands.forEach((name, infoAndDocs) -> {
            map.add(RespReplies.bulk(name));
            map.add(new ArrayRedisMessage(List.of(infoAndDocs)));
        });
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            Resp3Text.write(new Resp3Replies.MapReply(map), out);
        }
    }

    /** Every top-level command of the server on {@code port}: name → {info, docs}, sorted by name. */
    static Map<String, RedisMessage[]> read(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(RespTestClient.encode("HELLO", "3"));
            Resp3Text.read(in);
            out.write(RespTestClient.encode("COMMAND", "INFO"));
            ArrayRedisMessage infos = (ArrayRedisMessage) Resp3Text.read(in);
            out.write(RespTestClient.encode("COMMAND", "DOCS"));
            List<RedisMessage> docs = ((Resp3Replies.MapReply) Resp3Text.read(in)).keysAndValues();
            Map<String, RedisMessage[]> byName = new TreeMap<>();
            for (RedisMessage info : infos.children()) {
                String name = Resp3Text.text(((ArrayRedisMessage) info).children().get(0));
                byName.put(name, new RedisMessage[] {info, null});
            }
            for (int i = 0; i < docs.size(); i += 2) {
                byName.get(Resp3Text.text(docs.get(i)))[1] = docs.get(i + 1);
            }
            return byName;
        }
    }
}
