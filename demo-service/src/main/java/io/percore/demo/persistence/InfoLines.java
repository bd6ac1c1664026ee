package io.percore.demo.persistence;

/** Where a section of INFO writes its fields (persistence's, the append-only file's, replication's), in Redis's order. */
@FunctionalInterface
public interface InfoLines {
    void line(String name, Object value);
}
