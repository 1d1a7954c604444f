package dev.loop.platform;

import java.util.Locale;

/** Operating systems the capability matrix knows. */
public enum Os {
    LINUX("Linux"), MACOS("macOS"), FREEBSD("FreeBSD"), WINDOWS("Windows"), OTHER("an unknown OS");

    private static final Os CURRENT = detect(System.getProperty("os.name", ""));

    private final String displayName;

    Os(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    public static Os current() {
        return CURRENT;
    }

    static Os detect(String osName) {
        String n = osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return LINUX;
        }
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return MACOS;
        }
        if (n.startsWith("freebsd")) {
            return FREEBSD;
        }
        if (n.startsWith("windows")) {
            return WINDOWS;
        }
        return OTHER;
    }
}
