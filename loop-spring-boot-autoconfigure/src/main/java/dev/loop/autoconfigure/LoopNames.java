package dev.loop.autoconfigure;

import java.util.HashSet;
import java.util.Set;

import org.springframework.beans.factory.DisposableBean;

/**
 * The name of an auto-configured loop, unique among the auto-configured loops alive in this JVM: two
 * contexts (two test contexts in the cache, a parent and a child) get {@code eventloop} and
 * {@code eventloop-2}, so that their threads and meters differ. Given back when the context closes.
 */
final class LoopNames implements DisposableBean {

    private static final Set<String> IN_USE = new HashSet<>();

    private final String name;

    private LoopNames(String name) {
        this.name = name;
    }

    /** Claims {@code base}, or the first of {@code base-2}, {@code base-3}, ... that no live loop has. */
    static LoopNames claim(String base) {
        synchronized (IN_USE) {
            String n = base;
            for (int i = 2; !IN_USE.add(n); i++) {
                n = base + "-" + i;
            }
            return new LoopNames(n);
        }
    }

    String name() {
        return name;
    }

    @Override
    public void destroy() {
        synchronized (IN_USE) {
            IN_USE.remove(name);
        }
    }
}
