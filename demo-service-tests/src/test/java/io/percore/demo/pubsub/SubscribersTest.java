package io.percore.demo.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The subscribers of a channel: the array a delivery walks is kept between changes and never changed. */
class SubscribersTest {

    /** A new subscriber each call (a lambda without captures would be one instance). */
    private static Subscriber subscriber() {
        return new Subscriber() {
            @Override
            public void push(SharedPush message) {
            }
        };
    }

    @Test
    void deliveriesShareOneArrayUntilTheSubscribersChange() {
        Subscribers subscribers = new Subscribers();
        Subscriber a = subscriber();
        Subscriber b = subscriber();
        Subscriber c = subscriber();
        assertThat(subscribers.add(a)).isTrue();
        assertThat(subscribers.add(b)).isTrue();
        assertThat(subscribers.add(a)).as("already there").isFalse();
        Subscriber[] first = subscribers.all();
        assertThat(first).containsExactly(a, b);
        assertThat(subscribers.all()).as("no copy per delivery").isSameAs(first);

        assertThat(subscribers.add(c)).isTrue();
        Subscriber[] second = subscribers.all();
        assertThat(second).containsExactly(a, b, c);
        assertThat(first).as("an array handed out is not changed").containsExactly(a, b);

        assertThat(subscribers.remove(b)).isTrue();
        assertThat(subscribers.remove(b)).isFalse();
        assertThat(second).as("a walk that began before the removal goes on").containsExactly(a, b, c);
        assertThat(subscribers.all()).containsExactly(a, c);
        assertThat(subscribers.size()).isEqualTo(2);
        subscribers.remove(a);
        subscribers.remove(c);
        assertThat(subscribers.isEmpty()).isTrue();
        assertThat(subscribers.all()).isEmpty();
    }
}
