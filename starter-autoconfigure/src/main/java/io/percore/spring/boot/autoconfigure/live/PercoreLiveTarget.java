package io.percore.spring.boot.autoconfigure.live;

import io.percore.config.PercoreConfig;

/**
 * A part of the starter that takes live {@code percore.*} settings besides the engine (the server
 * and client registries, when net-pooling is there). It gets the configuration in force after the
 * change: the settings that changed live taken, every other one as it was.
 */
public interface PercoreLiveTarget {

    void applyLive(PercoreConfig merged);
}
