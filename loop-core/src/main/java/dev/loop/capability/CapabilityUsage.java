package dev.loop.capability;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which capabilities a loop has been asked to use, and by what ("server", "connection", "reader",
 * "subprocess", ...), counted since the loop was created. It answers the portability question: what
 * would this application lose on another platform or backend. Recorded on the API calls that need a
 * capability (never on a per-event path); read from any thread.
 */
public final class CapabilityUsage {

    private final Map<Capability, Map<String, LongAdder>> uses = new ConcurrentHashMap<>();

    /** One more use of {@code capability} by a {@code what}. */
    public void record(Capability capability, String what) {
        uses.computeIfAbsent(capability, c -> new ConcurrentHashMap<>()).computeIfAbsent(what, w -> new LongAdder())
                .increment();
    }

    /** Capability to (what to count), in capability order. */
    public Map<Capability, Map<String, Long>> snapshot() {
        Map<Capability, Map<String, Long>> out = new EnumMap<>(Capability.class);
        uses.forEach((cap, byWhat) -> {
            Map<String, Long> m = new LinkedHashMap<>();
            byWhat.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> m.put(e.getKey(), e.getValue().sum()));
            out.put(cap, m);
        });
        return out;
    }

    /** "1 server, 3 connections": how a capability was used, for messages. */
    public static String describe(Map<String, Long> byWhat) {
        StringBuilder sb = new StringBuilder();
        byWhat.forEach((what, n) -> {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(n).append(' ').append(n == 1 ? what : plural(what));
        });
        return sb.toString();
    }

    /** English plural of the nouns used here ("subprocess": "subprocesses", "server": "servers"). */
    static String plural(String noun) {
        boolean sibilant = noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("ch") || noun.endsWith("sh");
        return noun + (sibilant ? "es" : "s");
    }
}
