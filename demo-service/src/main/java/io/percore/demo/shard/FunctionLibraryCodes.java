package io.percore.demo.shard;

import java.util.List;

/**
 * A shard's function libraries as the keyspace's files and replicas see them: each library's code,
 * as FUNCTION LOAD got it (Redis's RDB keeps nothing else of a library). Scripting keeps the
 * libraries and installs this on every shard; a snapshot saves shard 0's (the shard that orders
 * every change of them) and a load gives every shard the file's.
 */
public interface FunctionLibraryCodes {

    /** Each library's code, in the order FUNCTION LIST shows them. */
    List<byte[]> codes();

    /**
     * Replaces every library with those of {@code codes} (a file's, a primary's full sync).
     *
     * @throws IllegalArgumentException naming the reason when a library does not load; nothing changed then
     */
    void replaceWith(List<byte[]> codes);

    /** Before scripting installs its own: no libraries, and a file with some cannot be loaded. */
    FunctionLibraryCodes NONE = new FunctionLibraryCodes() {
        @Override
        public List<byte[]> codes() {
            return List.of();
        }

        @Override
        public void replaceWith(List<byte[]> codes) {
            if (!codes.isEmpty()) {
                throw new IllegalArgumentException("function libraries, and this server runs without scripting");
            }
        }
    };
}
