package io.percore.demo.shard;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.WrongTypeException;
import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The home side of blocking (Redis's {@code client->bpop} and its timeout table): on the shard a
 * connection lives on, the blocking command it runs, from its first try to its answer. The keys'
 * shards keep the queues ({@link KeyWaiters}).
 *
 * <p><b>First try.</b> The keys (without repeats) are grouped by shard, shards in the order of
 * their first key, and each shard is visited once ({@link KeyWaiters#attempt}): its empty keys get
 * the client queued, and its first key with data or of another type is decided (taken, or
 * WRONGTYPE) only if no key before it in argument order can still have data; otherwise it is a
 * candidate, decided after the other shards were seen (see {@link #nextStep}). So the first key in
 * argument order with data is the one served, as in Redis, a key of another type before it answers
 * WRONGTYPE, and a command costs one step per shard (plus one per candidate), however its keys
 * interleave. A decision ends the try; waiters left on other shards are withdrawn.
 *
 * <p><b>Exactly one answer.</b> A command is done once: served (from the first try or by an owner,
 * {@link #serve}), refused, timed out, unblocked, or its connection closed. Whatever arrives after
 * that is refused, and its owner puts back what it took. Done means: its waiters are withdrawn
 * from every shard it may have reached (calls from one shard to another arrive in order, so a
 * withdrawal never overtakes the step that queued the waiter), its timer is cancelled, and (unless
 * the connection is gone) it is answered.
 *
 * <p>Touched only by its shard's thread.
 */
public final class BlockedClients {

    /** No deadline: wait until served (timeout 0). */
    public static final long FOREVER = Long.MAX_VALUE;
    /** Redis's timeout reply for any blocked list, zset or stream command: a null array ({@code *-1}, RESP3 {@code _}). */
    public static final RedisMessage TIMED_OUT = ArrayRedisMessage.NULL_INSTANCE;

    private final int shardId;
    private final int shardCount;
    /** Sequence of this shard's blocking commands; ids are {@code sequence * shards + shard}, unique everywhere. */
    private long sequence;
    private final HashMap<Long, Blocked> byId = new HashMap<>();
    /** This shard's tries under way (made at the first blocking command). */
    private BlockingTries.Local tries;
    /** The command each client runs (a connection runs one at a time: it holds its later ones back). */
    private final HashMap<Long, Blocked> byClient = new HashMap<>();
    /** Clients waiting now (their first try over): INFO's blocked_clients. */
    private int waiting;

    /**
     * A command's keys owned by one shard, in argument order, with their positions among the
     * command's keys. Built once on the client's shard and only read after (also by the owner).
     */
    private record ShardKeys(int shard, List<byte[]> keys, int[] indexes) {
        int first() {
            return indexes[0];
        }
    }

    /** One blocking command of one client. */
    private final class Blocked {
        final Keyspace keyspace;
        final long id;
        final long clientId;
        /** Its keys by shard, shards in the order of their first key. */
        final List<ShardKeys> plan;
        /** Per plan entry: the candidate its last step reported (a key with data or of another type, not yet decided), or -1. */
        final int[] candidates;
        final BlockingPop pop;
        final boolean mayBlock;
        final BiConsumer<RedisMessage, Throwable> answer;
        /** Epoch millis, or {@link #FOREVER}. */
        long deadline;
        /** When its command was read ({@link System#nanoTime()}): its place among the clients waiting for a key. */
        final long since;
        /** Its first try's ticket ({@link BlockingTries}) while under way, else {@link BlockingTries#NONE}. */
        long ticket;
        /** Plan entries visited so far by the first pass. */
        int visited;
        /** Shards that may hold its waiters: those its first try has reached. */
        final BitSet reached = new BitSet();
        boolean waiting;
        boolean done;
        Cancellable timer;

        Blocked(Keyspace keyspace, long id, long clientId, List<ShardKeys> plan, BlockingPop pop, boolean mayBlock, long deadline,
                long since, BiConsumer<RedisMessage, Throwable> answer) {
            this.keyspace = keyspace;
            this.since = since;
            this.id = id;
            this.clientId = clientId;
            this.plan = plan;
            this.candidates = new int[plan.size()];
            Arrays.fill(candidates, -1);
            this.pop = pop;
            this.mayBlock = mayBlock;
            this.deadline = deadline;
            this.answer = answer;
        }
    }

    BlockedClients(int shardId, int shardCount) {
        this.shardId = shardId;
        this.shardCount = shardCount;
    }

    /** Clients of this shard waiting now (INFO's blocked_clients). */
    public int waitingClients() {
        return waiting;
    }

    /**
     * Runs a blocking command for client {@code clientId} of this shard: takes from the first of
     * {@code keys} with data, or waits (if {@code mayBlock}) until one of them gets some or
     * {@code deadline} (epoch millis, or {@link #FOREVER}) passes. {@code answer} is called once,
     * on this shard, with the reply or a failure (WRONGTYPE), unless the client goes away first.
     * The caller holds the connection's later commands back until then.
     *
     * @param keyspace the way to the keys' shards: a transaction's own view inside EXEC
     * @param keys     the command's keys in argument order; repeats are ignored
     * @param mayBlock false inside MULTI (Redis's CLIENT_DENY_BLOCKING) and for the non-blocking
     *                 forms (LMPOP): no key with data answers {@link BlockingPop#nothingReply()} at once
     */
    public void block(Keyspace keyspace, long clientId, List<byte[]> keys, BlockingPop pop, long deadline, boolean mayBlock,
                      BiConsumer<RedisMessage, Throwable> answer) {
        block(keyspace, clientId, keys, pop, deadline, mayBlock, BlockingTries.NONE, System.nanoTime(), answer);
    }

    /**
     * {@link #block} for a command whose try began already ({@link #beginTry}) when it was read: it
     * made a hop first (BLMOVE's admission on its destination's shard). {@code ticket} becomes this
     * command's (ended with it, or here if it may not block); {@code since} is when it was read.
     */
    public void block(Keyspace keyspace, long clientId, List<byte[]> keys, BlockingPop pop, long deadline, boolean mayBlock,
                      long ticket, long since, BiConsumer<RedisMessage, Throwable> answer) {
        if (!mayBlock) {
            endTry(ticket);
            ticket = BlockingTries.NONE;
        } else if (ticket == BlockingTries.NONE) {
            ticket = beginTry(keyspace); // a key added anywhere meanwhile waits for this try's turn (KeyWaiters)
        }
        Blocked b;
        try {
            b = new Blocked(keyspace, sequence++ * shardCount + shardId, clientId, plan(keyspace, keys), pop, mayBlock, deadline,
                    since, answer);
        } catch (RuntimeException e) {
            endTry(ticket);
            throw e;
        }
        b.ticket = ticket;
        byId.put(b.id, b);
        byClient.put(clientId, b);
        nextStep(b);
    }

    /**
     * A blocking command of this shard's client was read and starts its first try with a hop of its
     * own (see {@link #block}): from now on a key added anywhere waits for its turn. @return its ticket,
     * ended by {@link #block} or {@link #endTry}
     */
    public long beginTry(Keyspace keyspace) {
        if (tries == null) {
            tries = keyspace.blockingTries().local(shardId);
        }
        return tries.begin();
    }

    /** The try of {@code ticket} ended without a {@link #block} (refused before it could start). */
    public void endTry(long ticket) {
        if (tries != null) {
            tries.end(ticket);
        }
    }

    private static List<ShardKeys> plan(Keyspace keyspace, List<byte[]> keys) {
        HashSet<ByteString> seen = new HashSet<>();
        Map<Integer, List<byte[]>> keysByShard = new LinkedHashMap<>(); // shards in the order of their first key
        Map<Integer, List<Integer>> indexesByShard = new HashMap<>();
        int index = 0;
        for (byte[] key : keys) {
            if (!seen.add(new ByteString(key))) {
                continue; // Redis queues a client once per key (BLPOP k k 0)
            }
            int shard = keyspace.shardOf(key);
            keysByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(key);
            indexesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(index++);
        }
        List<ShardKeys> plan = new ArrayList<>(keysByShard.size());
        keysByShard.forEach((shard, shardKeys) -> plan.add(new ShardKeys(shard, shardKeys,
                indexesByShard.get(shard).stream().mapToInt(Integer::intValue).toArray())));
        return plan;
    }

    /**
     * The first try, one step at a time. First pass: each shard once, in the order of its first
     * key; a step may decide on a key only if no key before it lives on a shard not visited yet, or
     * is a candidate found earlier. Then the candidates, lowest first: a step on its shard from
     * that key on decides it (or, if it went empty, waits on it and reports the next one). With no
     * candidate left, every key has the client queued: it waits.
     */
    private void nextStep(Blocked b) {
        if (b.done) {
            return;
        }
        if (b.visited < b.plan.size()) {
            int entry = b.visited++;
            int unvisited = b.visited < b.plan.size() ? b.plan.get(b.visited).first() : Integer.MAX_VALUE;
            step(b, entry, 0, Math.min(unvisited, lowestCandidate(b, -1)));
            return;
        }
        int entry = -1;
        for (int i = 0; i < b.candidates.length; i++) {
            if (b.candidates[i] >= 0 && (entry < 0 || b.candidates[i] < b.candidates[entry])) {
                entry = i;
            }
        }
        if (entry < 0) {
            startWaiting(b);
            return;
        }
        int candidate = b.candidates[entry];
        b.candidates[entry] = -1;
        int from = Arrays.binarySearch(b.plan.get(entry).indexes(), candidate);
        step(b, entry, from, lowestCandidate(b, entry));
    }

    private static int lowestCandidate(Blocked b, int except) {
        int lowest = Integer.MAX_VALUE;
        for (int i = 0; i < b.candidates.length; i++) {
            if (i != except && b.candidates[i] >= 0) {
                lowest = Math.min(lowest, b.candidates[i]);
            }
        }
        return lowest;
    }

    private void step(Blocked b, int entry, int from, int limit) {
        ShardKeys sk = b.plan.get(entry);
        b.reached.set(sk.shard());
        long id = b.id;
        int home = shardId;
        BlockingPop pop = b.pop;
        boolean mayBlock = b.mayBlock;
        long since = b.since;
        b.keyspace.forWaiters().invokeOn(sk.shard(), st -> st.keyWaiters().attempt(st.store(), id, home, since, sk.keys(), sk.indexes(), from,
                        limit, pop, mayBlock))
                .whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        if (finish(b)) {
                            b.answer.accept(null, failure);
                        }
                    } else if (!outcome.tookSomething()) {
                        b.candidates[entry] = outcome.candidate();
                        nextStep(b);
                    } else if (b.done) {
                        // served by a key it waited on while this step ran: what it took goes back
                        b.keyspace.invokeOn(sk.shard(), st -> {
                            st.keyWaiters().putBack(st.store(), outcome.key(), pop, outcome.taken());
                            return null;
                        });
                    } else {
                        answerWith(b, outcome.key(), outcome.taken());
                    }
                });
    }

    private void tryOver(Blocked b) {
        if (b.ticket != BlockingTries.NONE) {
            endTry(b.ticket);
            b.ticket = BlockingTries.NONE;
        }
    }

    private void startWaiting(Blocked b) {
        tryOver(b);
        if (!b.mayBlock) {
            if (finish(b)) {
                b.answer.accept(b.pop.nothingReply(), null);
            }
            return;
        }
        b.waiting = true;
        waiting++;
        armTimer(b);
    }

    private void armTimer(Blocked b) {
        if (b.deadline == FOREVER) {
            return;
        }
        long delay = Math.max(0, b.deadline - System.currentTimeMillis());
        b.timer = Shard.current().schedule(Duration.ofMillis(delay), () -> {
            if (finish(b)) {
                b.answer.accept(TIMED_OUT, null);
            }
        });
    }

    /**
     * From a key's owner: {@code taken} was taken from {@code key} for command {@code id}. Completes
     * with false at once when it no longer waits (the owner puts it back), else with true once the
     * client is answered (after a BLMOVE's push onto its destination and what that push served).
     */
    ShardFuture<Boolean> serve(long id, byte[] key, Object taken) {
        Blocked b = byId.get(id);
        if (b == null || b.done) {
            return ShardFuture.completed(false);
        }
        return answerWith(b, key, taken).map(answered -> true);
    }

    /** From a key's owner: command {@code id} is answered WRONGTYPE (BLMOVE's destination holds another type); nothing was taken. */
    boolean refuse(long id, WrongTypeException refused) {
        Blocked b = byId.get(id);
        if (b == null || !finish(b)) {
            return false;
        }
        b.answer.accept(null, refused);
        return true;
    }

    private ShardFuture<RedisMessage> answerWith(Blocked b, byte[] key, Object taken) {
        finish(b);
        ShardFuture<RedisMessage> reply;
        try {
            reply = b.pop.reply(b.keyspace, key, taken);
        } catch (RuntimeException e) {
            reply = ShardFuture.failed(e);
        }
        return reply.whenComplete(b.answer).recover(failure -> null);
    }

    /** The connection of {@code clientId} closed: its command is forgotten, without an answer. */
    public void disconnected(long clientId) {
        Blocked b = byClient.get(clientId);
        if (b != null) {
            finish(b);
        }
    }

    /**
     * Ends the command {@code clientId} waits in with {@code reply} (CLIENT UNBLOCK). False if the
     * client is not waiting (running its first try counts as not blocked yet, as in Redis).
     */
    public boolean unblock(long clientId, RedisMessage reply) {
        Blocked b = byClient.get(clientId);
        if (b == null || !b.waiting || !finish(b)) {
            return false;
        }
        b.answer.accept(reply, null);
        return true;
    }

    /**
     * The server drains: the command of {@code clientId} is answered as timed out now, or as soon
     * as its first try finds nothing (what it finds meanwhile is still its answer).
     */
    public void expireNow(long clientId) {
        Blocked b = byClient.get(clientId);
        if (b == null || b.done) {
            return;
        }
        b.deadline = System.currentTimeMillis();
        if (b.waiting) {
            if (b.timer != null) {
                b.timer.cancel();
            }
            armTimer(b);
        }
    }

    /** Marks {@code b} done once: cancels its timer and withdraws its waiters everywhere. False if it already was. */
    private boolean finish(Blocked b) {
        if (b.done) {
            return false;
        }
        b.done = true;
        tryOver(b);
        byId.remove(b.id);
        byClient.remove(b.clientId, b);
        if (b.waiting) {
            waiting--;
        }
        if (b.timer != null) {
            b.timer.cancel();
        }
        if (b.mayBlock) {
            long id = b.id;
            for (int shard = b.reached.nextSetBit(0); shard >= 0; shard = b.reached.nextSetBit(shard + 1)) {
                try {
                    b.keyspace.invokeOn(shard, st -> {
                        st.keyWaiters().withdraw(id);
                        return null;
                    });
                } catch (RuntimeException closing) {
                    // the keyspace is stopping: its waiters go with it
                }
            }
        }
        return true;
    }
}
