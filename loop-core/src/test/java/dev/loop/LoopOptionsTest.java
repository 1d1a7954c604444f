package dev.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoopOptionsTest {

    @Test
    void defaultsAreAsyncioLike() {
        LoopOptions o = LoopOptions.defaults();
        assertThat(o.name()).isEqualTo("loop");
        assertThat(o.threadName()).isEqualTo("loop");
        assertThat(o.debug()).isFalse();
        assertThat(o.daemon()).isFalse();
        assertThat(o.slowCallbackThreshold()).isEqualTo(Duration.ofMillis(100));
        assertThat(o.blockedThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.delaySamplingInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(o.requestedBackend()).isEmpty();
        assertThat(o.requestedPoller()).isEmpty();
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> LoopOptions.builder().name(" ").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoopOptions.builder().slowCallbackThreshold(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slowCallbackThreshold");
        assertThatThrownBy(() -> LoopOptions.builder().backend(Backend.PROACTOR).poller(PollerKind.EPOLL).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proactor");
    }
}
