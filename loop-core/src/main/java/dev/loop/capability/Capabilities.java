package dev.loop.capability;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.platform.Os;

/**
 * What one backend (and poller) can do on one platform: a {@link Support} for every
 * {@link Capability}, and {@link Limits}. Immutable.
 */
public final class Capabilities {

    private final Os os;
    private final String osVariant;
    private final Backend backend;
    private final PollerKind poller;
    private final Map<Capability, Support> support;
    private final Limits limits;

    Capabilities(Os os, String osVariant, Backend backend, PollerKind poller, Map<Capability, Support> support,
            Limits limits) {
        this.os = Objects.requireNonNull(os);
        this.osVariant = osVariant;
        this.backend = Objects.requireNonNull(backend);
        this.poller = poller;
        EnumMap<Capability, Support> copy = new EnumMap<>(Capability.class);
        for (Capability c : Capability.values()) {
            copy.put(c, Objects.requireNonNull(support.get(c), () -> "no support entry for " + c));
        }
        this.support = Collections.unmodifiableMap(copy);
        this.limits = Objects.requireNonNull(limits);
    }

    public Os os() {
        return os;
    }

    /** A version range the row is specific to ({@code "10.6-10.8"}), or {@code null}. */
    public String osVariant() {
        return osVariant;
    }

    /** {@code "macOS 10.6-10.8"}, {@code "Linux"}. */
    public String platformLabel() {
        return osVariant == null ? os.displayName() : os.displayName() + " " + osVariant;
    }

    public Backend backend() {
        return backend;
    }

    /** The poller, for selector and kqueue backends; {@code null} for a proactor. */
    public PollerKind poller() {
        return poller;
    }

    /** {@code "selector (epoll)"}, {@code "proactor"}. */
    public String backendLabel() {
        return poller == null || backend == Backend.KQUEUE ? backend.id() : backend.id() + " (" + poller.id() + ")";
    }

    /** Whether {@code other} is the same row of the matrix: the same OS and variant, backend and poller. */
    public boolean sameRowAs(Capabilities other) {
        return os == other.os && backend == other.backend && poller == other.poller
                && java.util.Objects.equals(osVariant, other.osVariant);
    }

    public Support support(Capability capability) {
        return support.get(capability);
    }

    public boolean supports(Capability capability) {
        return support.get(capability).supported();
    }

    /** Every capability with its support, in declaration order. */
    public Map<Capability, Support> asMap() {
        return support;
    }

    public Set<Capability> unsupported() {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        support.forEach((c, s) -> {
            if (!s.supported()) {
                out.add(c);
            }
        });
        return out;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Throws {@link CapabilityNotSupportedException} unless {@code capability} is supported.
     *
     * @param detail what was attempted ("addReader(fd 7): regular file"), or {@code null}
     */
    public void require(Capability capability, String detail) {
        Support s = support.get(capability);
        if (!s.supported()) {
            throw new CapabilityNotSupportedException(capability, backend, poller, os, s.reason(), s.alternative(),
                    detail);
        }
    }

    /** A copy with other limits. */
    public Capabilities withLimits(Limits newLimits) {
        return new Capabilities(os, osVariant, backend, poller, support, newLimits);
    }

    /** A copy with one capability's support replaced. */
    public Capabilities with(Capability capability, Support s) {
        EnumMap<Capability, Support> copy = new EnumMap<>(support);
        copy.put(capability, s);
        return new Capabilities(os, osVariant, backend, poller, copy, limits);
    }

    @Override
    public String toString() {
        return "Capabilities[" + backendLabel() + " on " + platformLabel() + ", unsupported=" + unsupported() + ", "
                + limits + "]";
    }
}
