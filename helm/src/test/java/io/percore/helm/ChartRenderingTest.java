package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

class ChartRenderingTest {

    @Test
    void defaultValuesRenderStrictlyTypedManifests() {
        RenderedManifests manifests = ChartUnderTest.renderDefaults();
        System.out.println(manifests.summary());
        for (HasMetadata m : manifests.typedBuiltIns()) {
            System.out.println(m.getKind() + " " + m.getMetadata().getName());
        }
    }
}
