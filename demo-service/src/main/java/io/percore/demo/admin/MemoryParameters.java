package io.percore.demo.admin;

import static io.percore.demo.admin.ConfigType.invalid;

import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The CONFIG table's memory rows: the keyspace's budget and what clients may hold (Redis's {@code evict.c} and {@code networking.c} limits). */
final class MemoryParameters {

    private MemoryParameters() {
    }

    /** maxmemory-clients' value: bytes, or (percent not 0) a percent of maxmemory. */
    private record ClientsBound(long bytes, int percent) {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                ConfigParameter.live("maxmemory", ConfigType.memory(0, Long.MAX_VALUE), v -> Long.toString(v.memory().processBytes()),
                                (n, bytes) -> n.memory = new MemorySettings(bytes, n.memory.policy(), n.memory.samples()))
                        .setBy("maxmemory").defaultIs("0: half the max heap").appliedBy(ConfigApply.BUDGET),
                ConfigParameter.live("maxmemory-policy", ConfigType.oneOf("volatile-lru, volatile-lfu, volatile-random, volatile-ttl, "
                                + "allkeys-lru, allkeys-lfu, allkeys-random, noeviction", MaxmemoryPolicy::fromRedisName),
                        v -> v.memory().policy().redisName(),
                        (n, policy) -> n.memory = new MemorySettings(n.memory.maxmemory(), policy, n.memory.samples()))
                        .setBy("maxmemory-policy").appliedBy(ConfigApply.BUDGET),
                // Redis allows up to INT_MAX; more samples only cost the shard time (README: a deliberate cap)
                ConfigParameter.live("maxmemory-samples", ConfigType.signed(1, MemoryBudget.MAX_SAMPLES), v -> Integer.toString(v.memory().samples()),
                                (n, samples) -> n.memory = new MemorySettings(n.memory.maxmemory(), n.memory.policy(), samples.intValue()))
                        .setBy("maxmemory-samples").appliedBy(ConfigApply.BUDGET),
                ConfigParameter.live("maxmemory-clients", ConfigType.of("memory, or N% of maxmemory", MemoryParameters::clientsBound),
                                v -> v.maxmemoryClientsPercent() > 0 ? v.maxmemoryClientsPercent() + "%" : Long.toString(v.maxmemoryClients()),
                                (n, bound) -> {
                                    n.maxmemoryClients = bound.bytes();
                                    n.maxmemoryClientsPercent = bound.percent();
                                })
                        .setBy("maxmemory-clients").defaultIs("an eighth of the max heap"),
                ConfigParameter.live("client-output-buffer-limit", ConfigType.of("class hard soft seconds, repeated (classes normal, replica, pubsub)",
                        MemoryParameters::outputLimits), v -> v.outputLimits().text(), (n, limits) -> n.outputLimits = merged(n.outputLimits, limits))
                        .appliedBy(ConfigApply.REPLICA_OUTPUT),
                ConfigParameter.live("client-query-buffer-limit", ConfigType.memory(1024 * 1024, Long.MAX_VALUE),
                        v -> Long.toString(v.queryBufferLimit()), (n, limit) -> n.queryBufferLimit = limit));
    }

    /** Redis's memory-or-percent config: a memory value first, then N% (of maxmemory, followed as it changes). */
    private static ClientsBound clientsBound(String value) {
        try {
            return new ClientsBound(ConfigType.memory(value), 0);
        } catch (ConfigType.Invalid notMemory) {
            byte[] digits = value.substring(0, Math.max(0, value.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
            if (value.length() < 2 || !value.endsWith("%") || !RespNumbers.isLong(digits) || RespNumbers.parseLong(digits) < 0) {
                throw invalid("argument must be a memory or percent value");
            }
            long percent = RespNumbers.parseLong(digits);
            if (percent > 100) {
                throw invalid("percentage argument must be less or equal to 100");
            }
            return new ClientsBound(0, (int) percent); // 0%: no bound, as Redis stores it
        }
    }

    /**
     * Redis's updateClientOutputBufferLimit: {@code <class> <hard> <soft> <soft seconds>} repeated,
     * classes normal, slave/replica and pubsub; all of it is read before any of it applies.
     */
    private static Map<String, RespSettings.OutputBufferLimit> outputLimits(String value) {
        String[] args = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        if (args.length % 4 != 0) {
            throw invalid("Wrong number of arguments in buffer limit configuration.");
        }
        Map<String, RespSettings.OutputBufferLimit> limits = new LinkedHashMap<>();
        for (int j = 0; j < args.length; j += 4) {
            String type = args[j].toLowerCase(Locale.ROOT);
            if (!type.equals("normal") && !type.equals("slave") && !type.equals("replica") && !type.equals("pubsub")) {
                throw invalid("Invalid client class specified in buffer limit configuration.");
            }
            RespSettings.OutputBufferLimit limit;
            try {
                long seconds = Long.parseLong(args[j + 3]);
                if (seconds < 0 || seconds > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                limit = new RespSettings.OutputBufferLimit(ConfigType.memory(args[j + 1]), ConfigType.memory(args[j + 2]), (int) seconds);
            } catch (NumberFormatException | RespError | ConfigType.Invalid e) {
                throw invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            limits.put(type.equals("slave") ? "replica" : type, limit);
        }
        return limits;
    }

    private static ConfigValues.OutputLimits merged(ConfigValues.OutputLimits current, Map<String, RespSettings.OutputBufferLimit> limits) {
        return new ConfigValues.OutputLimits(limits.getOrDefault("normal", current.normal()),
                limits.getOrDefault("replica", current.replica()), limits.getOrDefault("pubsub", current.pubsub()));
    }
}
