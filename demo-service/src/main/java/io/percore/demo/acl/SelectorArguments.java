package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.List;

/**
 * Redis's {@code ACLMergeSelectorArguments}: a selector may be spread over several arguments
 * ({@code "(~a" "+get)"}), which are joined with spaces into one rule before the rules are applied.
 */
final class SelectorArguments {

    /** An opening parenthesis without its closing one, at argument {@code index}. */
    static final class Unmatched extends RuntimeException {
        final int index;

        Unmatched(int index) {
            super(null, null, false, false);
            this.index = index;
        }
    }

    private SelectorArguments() {
    }

    /** The rules with each spread selector joined. @throws Unmatched naming where the unclosed one began */
    static List<String> merge(List<String> rules) {
        List<String> merged = new ArrayList<>(rules.size());
        StringBuilder selector = null;
        int openedAt = -1;
        for (int j = 0; j < rules.size(); j++) {
            String op = rules.get(j);
            if (!op.isEmpty() && op.charAt(0) == '(' && op.charAt(op.length() - 1) != ')') {
                selector = new StringBuilder(op);
                openedAt = j;
                continue;
            }
            if (openedAt != -1) {
                selector.append(' ').append(op);
                if (!op.isEmpty() && op.charAt(op.length() - 1) == ')') {
                    openedAt = -1;
                    merged.add(selector.toString());
                }
                continue;
            }
            merged.add(op);
        }
        if (openedAt != -1) {
            throw new Unmatched(openedAt);
        }
        return merged;
    }
}
