package io.percore.demo.replication;

import io.percore.demo.persistence.InfoLines;

/**
 * The tries of a replica's link that failed in a row since it was last up, and why the last one failed: INFO
 * replication's {@code master_link_last_error}, {@code master_link_last_error_since} and
 * {@code master_link_failed_attempts} (not Redis's fields: a replica that retries for ever says why). Written by the
 * link's thread, read by INFO's.
 */
final class LinkFailures {

    /**
     * @param reason      why the last try failed ({@link LinkFailure#reasonOf})
     * @param sinceMillis when the first of the tries in a row that failed for this same reason failed
     * @param attempts    the tries that failed in a row, whatever their reasons
     */
    record Run(String reason, long sinceMillis, long attempts) {
    }

    /** Null while no try failed since the link was last up (or made). */
    private volatile Run run;

    /** A try failed for {@code reason} at {@code nowMillis}. */
    void failed(String reason, long nowMillis) {
        Run r = run;
        boolean same = r != null && r.reason().equals(reason);
        run = new Run(reason, same ? r.sinceMillis() : nowMillis, r == null ? 1 : r.attempts() + 1);
    }

    /** The link is up: the run of failures ends. */
    void linkUp() {
        run = null;
    }

    /** The run so far, or null. */
    Run current() {
        return run;
    }

    /** The INFO lines of the run, none without one (after Redis's link fields, as {@code master_link_refused}). */
    void info(InfoLines out) {
        Run r = run;
        if (r == null) {
            return;
        }
        out.line("master_link_last_error", r.reason());
        out.line("master_link_last_error_since", r.sinceMillis() / 1000);
        out.line("master_link_failed_attempts", r.attempts());
    }
}
