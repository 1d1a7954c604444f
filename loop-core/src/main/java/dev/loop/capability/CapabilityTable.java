package dev.loop.capability;

import java.util.stream.Collectors;

/** The matrix as a Markdown table, for the README (a test keeps the README equal to this). */
public final class CapabilityTable {

    private CapabilityTable() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| platform | backend | not supported | most descriptors | poll timeout granularity | clock resolution "
                + "| timer slack |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Capabilities c : PlatformSupport.matrix()) {
            String missing = c.unsupported().stream().map(Capability::label).collect(Collectors.joining(", "));
            String restricted = c.asMap().entrySet().stream()
                    .filter(e -> e.getValue().supported() && e.getValue().reason() != null)
                    .map(e -> e.getKey().label() + ": " + e.getValue().reason()).collect(Collectors.joining("; "));
            if (!restricted.isEmpty()) {
                missing = missing + " (" + restricted + ")";
            }
            long max = c.limits().maxDescriptors();
            sb.append("| ").append(c.platformLabel()).append(" | ").append(c.backendLabel()).append(" | ")
                    .append(missing).append(" | ").append(max < 0 ? "no fixed limit" : Long.toString(max)).append(" | ")
                    .append(ReadableDurations.of(c.limits().pollGranularityNanos())).append(" | ")
                    .append(ReadableDurations.of(c.limits().clockResolutionNanos())).append(" | ")
                    .append(c.supports(Capability.TIMER_SLACK) ? "settable per thread (kernel default "
                            + ReadableDurations.of(c.limits().timerSlackNanos()) + ")" : "none per thread").append(" |\n");
        }
        return sb.toString();
    }

    /** Prints the table. */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
