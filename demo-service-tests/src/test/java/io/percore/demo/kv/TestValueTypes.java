package io.percore.demo.kv;

/** Type tags for tests: a second type before its commands exist (the constructor is package-private). */
public final class TestValueTypes {

    private TestValueTypes() {
    }

    public static ValueType named(String name) {
        return new ValueType(name);
    }
}
