package dev.loop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.platform.BackendProbe;

/**
 * The same demo, every test of {@link DemoApplicationTests}, with {@code loop.backend=proactor}: echo
 * servers on io_uring completions, the inotify reader and the child's exit on io_uring polls.
 */
@TestPropertySource(properties = "loop.backend=proactor")
class DemoOnProactorTests extends DemoApplicationTests {

    @Autowired
    EventLoop loop;

    @BeforeAll
    static void ioUringIsUsable() {
        var proactor = BackendProbe.probe(Backend.PROACTOR, null);
        Assumptions.assumeTrue(proactor.available(), () -> "no proactor here: " + proactor.reason());
    }

    @Test
    void theLoopRunsOnTheProactor() {
        assertThat(loop.backend()).isEqualTo(Backend.PROACTOR);
    }
}
