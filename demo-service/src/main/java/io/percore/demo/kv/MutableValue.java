package io.percore.demo.kv;

/**
 * A value changed in place under its key (a hash, set, list, sorted set, a string changed in
 * place), as opposed to a plain {@code byte[]} string, which is only ever replaced. Because
 * it changes in place it reports its own heap estimate (the store follows it through
 * {@link ValueStore#resized}), makes an independent copy for COPY (a later change to the copy must
 * not reach the original), and names the representation OBJECT ENCODING reports.
 */
public interface MutableValue {

    /** Heap estimate of the value, everything it holds included (the memory budget's figure). */
    long bytes();

    /** A copy sharing nothing that either side changes later (element arrays, never changed in place, may be shared). */
    MutableValue copy();

    /** Redis's name for the representation ({@code OBJECT ENCODING}): the closest of Redis's to the one used here. */
    String encoding();
}
