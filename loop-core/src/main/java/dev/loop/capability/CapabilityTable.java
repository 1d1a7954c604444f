package dev.loop.capability;

import java.util.stream.Collectors;

/** The matrix as a Markdown table, for the README (a test keeps the README equal to this). */
public final class CapabilityTable {

    private CapabilityTable() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| platform | backend | not supported | most descriptors | poll timeout granularity |\n");
        sb.append("| --- | --- | --- | --- | --- |\n");
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
                    .append(duration(c.limits().pollGranularityNanos())).append(" |\n");
        }
        return sb.toString();
    }

    private static String duration(long nanos) {
        if (nanos >= 1_000_000 && nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + " ms";
        }
        if (nanos >= 1_000 && nanos % 1_000 == 0) {
            return nanos / 1_000 + " us";
        }
        return nanos + " ns";
    }

    /** Prints the table. */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
