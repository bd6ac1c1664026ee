package io.percore.spring.boot.autoconfigure.webapp;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** What a user writes: a Boot app with the starter and a sharded service. */
@SpringBootApplication
public class PercoreTestApplication {

    public static void main(String[] args) {
        SpringApplication.run(PercoreTestApplication.class, args);
    }

    @Bean
    Sharded<LongAdder> hits(Engine engine) {
        return PercoreSharded.of(engine, shard -> new LongAdder());
    }
}
