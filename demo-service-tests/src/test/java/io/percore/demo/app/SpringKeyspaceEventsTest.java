package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.RedisKeyExpiredEvent;
import org.springframework.data.redis.core.RedisKeyValueAdapter.EnableKeyspaceEvents;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.TimeToLive;
import org.springframework.data.redis.listener.KeyExpirationEventMessageListener;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;
import org.springframework.data.repository.CrudRepository;
import org.springframework.session.Session;
import org.springframework.session.data.redis.RedisIndexedSessionRepository;
import org.springframework.session.data.redis.config.annotation.web.http.EnableRedisIndexedHttpSession;
import org.springframework.session.events.AbstractSessionEvent;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;
import org.springframework.session.events.SessionExpiredEvent;

/**
 * Issue 27, part 3: Spring's users of keyspace notifications, as their applications run them, against
 * the demo on two shards (their keys on both): Spring Data Redis's repositories with
 * {@code enableKeyspaceEvents = ON_STARTUP} and a plain {@link KeyExpirationEventMessageListener} get
 * {@link RedisKeyExpiredEvent}s, the expired entity's value included (read from its phantom copy);
 * Spring Session's {@code @EnableRedisIndexedHttpSession} sees a session created, deleted, and expire
 * with its attributes. Each sets {@code notify-keyspace-events} itself at startup, as against redis-server.
 */
class SpringKeyspaceEventsTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @BeforeEach
    void notificationsOff() throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("CONFIG", "SET", "notify-keyspace-events", "")).isEqualTo("OK");
            assertThat(c.cmd("FLUSHALL")).isEqualTo("OK");
        }
    }

    // ------------------------------------------------------------------ Spring Data Redis

    @RedisHash("people")
    public static class Person {
        @Id
        String id;
        String name;
        @TimeToLive
        Long ttl;

        public Person() {
        }

        Person(String id, String name, long ttl) {
            this.id = id;
            this.name = name;
            this.ttl = ttl;
        }
    }

    public interface PersonRepository extends CrudRepository<Person, String> {
    }

    /** Collects the context's events of one type. */
    static final class Events<E extends org.springframework.context.ApplicationEvent> implements ApplicationListener<E> {
        final BlockingQueue<E> got = new LinkedBlockingQueue<>();

        @Override
        public void onApplicationEvent(E event) {
            got.add(event);
        }
    }

    static RedisConnectionFactory connectionFactory() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", demo.respPort()));
        factory.afterPropertiesSet();
        return factory;
    }

    @Configuration
    @EnableRedisRepositories(considerNestedRepositories = true, basePackageClasses = SpringKeyspaceEventsTest.class,
            includeFilters = @org.springframework.context.annotation.ComponentScan.Filter(
                    type = org.springframework.context.annotation.FilterType.ASSIGNABLE_TYPE, classes = PersonRepository.class),
            enableKeyspaceEvents = EnableKeyspaceEvents.ON_STARTUP)
    static class RepositoryConfig {
        @Bean
        RedisConnectionFactory redisConnectionFactory() {
            return connectionFactory();
        }

        @Bean
        RedisTemplate<?, ?> redisTemplate(RedisConnectionFactory factory) {
            RedisTemplate<byte[], byte[]> template = new RedisTemplate<>();
            template.setConnectionFactory(factory);
            return template;
        }

        @Bean
        Events<RedisKeyExpiredEvent<?>> expiredEvents() {
            return new Events<>();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void springDataRepositoriesGetTheExpiredEntity() throws Exception {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(RepositoryConfig.class)) {
            assertThat(config("notify-keyspace-events")).isEqualTo("xE"); // Spring sets "Ex" at startup
            PersonRepository people = context.getBean(PersonRepository.class);
            Events<RedisKeyExpiredEvent<?>> events = context.getBean(Events.class);
            // ids whose keys land on both shards
            String onShard0 = idOn(0, "people:");
            String onShard1 = idOn(1, "people:");
            people.save(new Person(onShard0, "ada", 1));
            people.save(new Person(onShard1, "grace", 1));
            people.save(new Person("forever", "linus", -1));
            java.util.Map<String, String> expired = new java.util.HashMap<>();
            for (int i = 0; i < 2; i++) {
                RedisKeyExpiredEvent<?> e = events.got.poll(20, TimeUnit.SECONDS);
                assertThat(e).as("expiry event %d", i).isNotNull();
                assertThat(e.getKeyspace()).isEqualTo("people");
                Person p = (Person) e.getValue();
                assertThat(p).as("the expired entity, read from its phantom copy").isNotNull();
                expired.put(new String(e.getId(), java.nio.charset.StandardCharsets.UTF_8), p.name);
            }
            assertThat(expired).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(onShard0, "ada", onShard1, "grace"));
            // Spring's listener removed them from the entity set and dropped the phantoms
            waitUntil(() -> people.count() == 1);
            assertThat(people.findById("forever")).isPresent();
            // nothing more comes for them, shown by events rather than a pause: two entities saved now, one
            // per shard, expire next, and theirs are the next two events
            String late0 = idOn(0, "people:", "late");
            String late1 = idOn(1, "people:", "late");
            people.save(new Person(late0, "late", 1));
            people.save(new Person(late1, "late", 1));
            java.util.Set<String> next = new java.util.HashSet<>();
            for (int i = 0; i < 2; i++) {
                RedisKeyExpiredEvent<?> e = events.got.poll(20, TimeUnit.SECONDS);
                assertThat(e).as("later expiry event %d", i).isNotNull();
                next.add(new String(e.getId(), java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(next).as("the events after the first two").containsExactlyInAnyOrder(late0, late1);
        }
    }

    @Configuration
    static class ListenerConfig {
        @Bean
        RedisConnectionFactory redisConnectionFactory() {
            return connectionFactory();
        }

        @Bean
        RedisMessageListenerContainer container(RedisConnectionFactory factory) {
            RedisMessageListenerContainer container = new RedisMessageListenerContainer();
            container.setConnectionFactory(factory);
            return container;
        }

        @Bean
        KeyExpirationEventMessageListener expirationListener(RedisMessageListenerContainer container) {
            return new KeyExpirationEventMessageListener(container);
        }

        @Bean
        Events<RedisKeyExpiredEvent<?>> expiredEvents() {
            return new Events<>();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void keyExpirationEventMessageListenerHearsKeysOfEveryShardExpire() throws Exception {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(ListenerConfig.class);
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(config("notify-keyspace-events")).isEqualTo("AE"); // KeyExpirationEventMessageListener's default
            Events<RedisKeyExpiredEvent<?>> events = context.getBean(Events.class);
            java.util.Set<String> keys = new java.util.HashSet<>();
            for (int shard = 0; shard < 2; shard++) {
                for (int i = 0; i < 5; i++) {
                    String key = demo.keyOn(shard, "session-" + shard + "-" + i + "-");
                    keys.add(key);
                    assertThat(c.cmd("SET", key, "v", "PX", Integer.toString(50 + 20 * i))).isEqualTo("OK");
                }
            }
            java.util.Set<String> heard = new java.util.HashSet<>();
            while (heard.size() < keys.size()) {
                RedisKeyExpiredEvent<?> e = events.got.poll(20, TimeUnit.SECONDS);
                assertThat(e).as("heard %s of %s", heard, keys).isNotNull();
                heard.add(new String(e.getSource(), java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(heard).isEqualTo(keys);
        }
    }

    // ------------------------------------------------------------------ Spring Session

    @Configuration
    @EnableRedisIndexedHttpSession(maxInactiveIntervalInSeconds = 1)
    static class SessionConfig {
        @Bean
        RedisConnectionFactory redisConnectionFactory() {
            return connectionFactory();
        }

        @Bean
        Events<AbstractSessionEvent> sessionEvents() {
            return new Events<>();
        }
    }

    @Test
    void springSessionSeesSessionsCreatedDeletedAndExpired() throws Exception {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(SessionConfig.class)) {
            String flags = config("notify-keyspace-events");
            assertThat(flags).isEqualTo("gxE"); // Spring Session adds what it needs of "Egx"
            @SuppressWarnings("unchecked")
            Events<AbstractSessionEvent> events = context.getBean(Events.class);
            RedisIndexedSessionRepository sessions = context.getBean(RedisIndexedSessionRepository.class);

            RedisIndexedSessionRepository.RedisSession kept = sessions.createSession();
            kept.setAttribute("user", "ada");
            sessions.save(kept);
            next(events, SessionCreatedEvent.class, kept.getId());

            RedisIndexedSessionRepository.RedisSession deleted = sessions.createSession();
            sessions.save(deleted);
            next(events, SessionCreatedEvent.class, deleted.getId());
            sessions.deleteById(deleted.getId());
            next(events, SessionDeletedEvent.class, deleted.getId());

            // nobody touches the first one: its expiry key goes after a second, the demo's expiry cycle
            // deletes it, and Spring reads the session (kept five minutes longer) for its event
            SessionExpiredEvent expired = next(events, SessionExpiredEvent.class, kept.getId());
            Session session = expired.getSession();
            assertThat(session.<String>getAttribute("user")).isEqualTo("ada");
            assertThat(sessions.findById(kept.getId())).isNull();
        }
    }

    /** The event of {@code type} for session {@code id}, whenever it came (a slow machine may see the expiry before the deletion). */
    private static <T extends AbstractSessionEvent> T next(Events<AbstractSessionEvent> events, Class<T> type, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (AbstractSessionEvent e : events.got) {
                if (type.isInstance(e) && e.getSessionId().equals(id)) {
                    events.got.remove(e);
                    return type.cast(e);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type.getSimpleName() + " of session " + id + " within 30 s: " + events.got);
    }

    // ------------------------------------------------------------------ helpers

    private static String config(String name) throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            return String.valueOf(((java.util.List<?>) c.cmd("CONFIG", "GET", name)).get(1));
        }
    }

    /** An id whose {@code prefix + id} key lives on {@code shard}. */
    private static String idOn(int shard, String prefix) {
        return idOn(shard, prefix, "id");
    }

    private static String idOn(int shard, String prefix, String base) {
        for (int i = 0; ; i++) {
            String id = base + i;
            if (demo.service.keyspace().shardOf((prefix + id).getBytes(java.nio.charset.StandardCharsets.UTF_8)) == shard) {
                return id;
            }
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
