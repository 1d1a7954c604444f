package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.loop.EventLoop;

/**
 * Bad values fail startup as a user sees it, through Boot's failure analysis: the property, the value given
 * and what is allowed. Settings that start but surprise (a watchdog off, a poller ignored, health that cannot
 * see the delay) start with a warning that says so.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoopPropertiesValidationTests {

    @SpringBootApplication
    static class App {
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off").run();
    }

    @ParameterizedTest
    @CsvSource({
        "loop.shutdown-timeout, -5s, must not be negative; allowed: 0 (close at once)",
        "loop.blocked-threshold, -1s, must not be negative; allowed: 0 (the watchdog off)",
        "loop.delay-sampling-interval, -1s, must not be negative; allowed: 0 (no sampling)",
        "loop.slow-callback-threshold, 0ms, must be above 0",
        "loop.health.max-delay, 0s, must be above 0",
        "loop.loops.io.blocked-threshold, -1s, must not be negative; allowed: 0 (the watchdog off)",
        "loop.loops.io.slow-callback-threshold, 0s, must be above 0",
        "loop.loops.io.delay-sampling-interval, -20ms, must not be negative; allowed: 0 (no sampling)",
        "loop.timer-slack, 2s, must be 0 (the thread's own) or 1ns to 1s",
        "loop.loops.io.timer-slack, -1ns, must be 0 (the thread's own) or 1ns to 1s"})
    void anInvalidValueFailsStartupNamingThePropertyTheValueAndWhatIsAllowed(String property, String value,
            String reason, CapturedOutput output) {
        assertThatThrownBy(() -> start(property + "=" + value)).hasStackTraceContaining(reason);
        assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: " + property)
                .contains("Value: \"" + value + "\"").contains(reason);
    }

    @Test
    void surprisingButMeaningfulSettingsStartWithAWarning(CapturedOutput output) {
        try (ConfigurableApplicationContext ctx = start("loop.backend=proactor", "loop.poller=epoll",
                "loop.blocked-threshold=0", "loop.delay-sampling-interval=0", "loop.name=surprises")) {
            assertThat(ctx.getBean(EventLoop.class).isRunning()).isTrue();
            assertThat(output).contains("loop.poller=epoll is ignored: it chooses the selector backend's poller, and "
                    + "loop.backend=proactor")
                    .contains("loop.blocked-threshold=0 turns the watchdog off")
                    .contains("loop.delay-sampling-interval=0 turns loop-delay sampling off: the health indicator "
                            + "cannot compare");
        }
    }

    @Test
    void aSurprisingSettingOfOneOfLoopLoopsIsNamedWithItsKey(CapturedOutput output) {
        try (ConfigurableApplicationContext ctx = start("loop.name=surprises-2", "loop.loops.ring.backend=proactor",
                "loop.loops.ring.poller=poll", "loop.loops.ring.on-unavailable=fallback",
                "loop.loops.ring.blocked-threshold=0")) {
            assertThat(ctx.getBean("ring", EventLoop.class).isRunning()).isTrue();
            assertThat(output).contains("loop.loops.ring.poller=poll is ignored: it chooses the selector backend's "
                    + "poller, and loop.loops.ring.backend=proactor")
                    .contains("loop.loops.ring.blocked-threshold=0 turns the watchdog off")
                    .doesNotContain("loop.blocked-threshold=0");
        }
    }

    @Test
    void theDefaultsStartWithoutAWarning(CapturedOutput output) {
        try (ConfigurableApplicationContext ctx = start("loop.name=quiet")) {
            assertThat(ctx.getBean(EventLoop.class).isRunning()).isTrue();
            assertThat(output).doesNotContain("is ignored").doesNotContain("turns the watchdog off")
                    .doesNotContain("turns loop-delay sampling off");
        }
    }
}
