package io.percore.demo.kv;

/**
 * A command asked for a value of one type and the key holds another. Thrown only by
 * {@link ValueStore}'s type check; the RESP layer replies with the message. No stack trace: it is
 * an expected outcome, like Redis's {@code checkType}.
 */
public final class WrongTypeException extends RuntimeException {

    /** Redis's reply text, without the leading '-'. */
    public static final String MESSAGE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    WrongTypeException() {
        super(MESSAGE, null, false, false);
    }
}
