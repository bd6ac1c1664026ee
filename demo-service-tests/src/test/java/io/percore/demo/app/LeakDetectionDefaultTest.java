package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakDetectionDefaultTest {

    private ResourceLeakDetector.Level suiteLevel;

    @BeforeEach
    void rememberLevel() {
        suiteLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterEach
    void restoreLevel() {
        ResourceLeakDetector.setLevel(suiteLevel);
    }

    @Test
    void theServerRunsWithoutTheLeakDetectorWhenNoLevelIsGiven() {
        DemoApplication.leakDetectionOffUnlessAsked(new Properties());

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void aLevelGivenOnTheCommandLineIsKept() {
        Properties system = new Properties();
        system.setProperty("io.netty.leakDetection.level", "simple");

        DemoApplication.leakDetectionOffUnlessAsked(system);

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }

    @Test
    void theLevelsOlderPropertyNameCountsAsGiven() {
        Properties system = new Properties();
        system.setProperty("io.netty.leakDetectionLevel", "paranoid");

        DemoApplication.leakDetectionOffUnlessAsked(system);

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }
}
