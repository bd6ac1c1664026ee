package io.percore.net.health;

import io.percore.config.RetryBudgetConfig;
import io.percore.net.ClientSettingRules;
import java.util.function.LongSupplier;

/**
 * Retries allowed as a share of first attempts, so an outage cannot multiply the load: every
 * request deposits {@code ratio} of a retry, every retry withdraws one. Deposits are capped at
 * {@code ratio} times the requests of the last ten seconds, so a quiet hour does not bank a burst.
 * On top, {@code minRetriesPerSecond} retries are always allowed (low-traffic clients). Shard-local.
 */
public final class RetryBudget {

    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final double ratio;
    private final int minRetriesPerSecond;
    private final LongSupplier clock;
    private double balance;
    private long windowStart;
    private long requestsThisWindow;
    private long requestsLastWindow;
    private long secondStart;
    private int floorLeft;

    /**
     * @throws io.percore.config.schema.ConfigValidationException when config-schema's rules for
     *         {@code retry-budget} refuse the values
     */
    public RetryBudget(double ratio, int minRetriesPerSecond, LongSupplier nanoClock) {
        requireValid(ratio, minRetriesPerSecond);
        this.ratio = ratio;
        this.minRetriesPerSecond = minRetriesPerSecond;
        this.clock = nanoClock;
        long now = nanoClock.getAsLong();
        this.windowStart = now;
        this.secondStart = now;
        this.floorLeft = minRetriesPerSecond;
    }

    /** Checks a budget given in code against config-schema's {@code retry-budget} rules. */
    public static void requireValid(double ratio, int minRetriesPerSecond) {
        ClientSettingRules.require("retry-budget", client -> {
            RetryBudgetConfig budget = new RetryBudgetConfig();
            budget.setRatio(ratio);
            budget.setMinRetriesPerSecond(minRetriesPerSecond);
            client.setRetryBudget(budget);
        });
    }

    public static RetryBudget from(RetryBudgetConfig c) {
        return new RetryBudget(c.getRatio(), c.getMinRetriesPerSecond(), System::nanoTime);
    }

    /** Records a first attempt. */
    public void onRequest() {
        roll(clock.getAsLong());
        requestsThisWindow++;
        double cap = ratio * Math.max(requestsThisWindow, requestsLastWindow);
        balance = Math.min(balance + ratio, cap);
    }

    /** Takes one retry from the budget; false means do not retry. */
    public boolean tryRetry() {
        roll(clock.getAsLong());
        if (floorLeft > 0) {
            floorLeft--;
            return true;
        }
        if (balance >= 1) {
            balance -= 1;
            return true;
        }
        return false;
    }

    private void roll(long now) {
        if (now - secondStart >= SECOND_NANOS) {
            secondStart = now;
            floorLeft = minRetriesPerSecond;
        }
        if (now - windowStart >= WINDOW_NANOS) {
            boolean skippedWholeWindow = now - windowStart >= 2 * WINDOW_NANOS;
            requestsLastWindow = skippedWholeWindow ? 0 : requestsThisWindow;
            requestsThisWindow = 0;
            windowStart = now;
            balance = Math.min(balance, ratio * requestsLastWindow);
        }
    }
}
