package dev.loop.capability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README's capability table is the matrix, not a copy that drifts from it. */
class ReadmeCapabilityTableTest {

    @Test
    void theReadmeShowsTheMatrixAsItIs() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String start = "<!-- capability-table:start -->\n";
        String table = readme.substring(readme.indexOf(start) + start.length(),
                readme.indexOf("<!-- capability-table:end -->"));
        assertThat(table).as("README table; regenerate with CapabilityTable.main").isEqualTo(CapabilityTable.markdown());
    }
}
