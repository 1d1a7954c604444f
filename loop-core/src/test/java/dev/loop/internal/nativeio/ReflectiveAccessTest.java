package dev.loop.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@link ReflectiveAccess} lists exactly what the sources bind with {@code Native.register} and reach through
 * {@code VarHandles.field}, and every name in it is a class that exists: an ahead-of-time build told less
 * would fail at run time, in the one place a test here cannot see.
 */
class ReflectiveAccessTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern REGISTER = Pattern.compile("Native\\.register\\(\\s*(\\w+)\\.class");
    private static final Pattern VAR_HANDLE = Pattern.compile("VarHandles\\.field\\(\\s*MethodHandles\\.lookup\\(\\),\\s*(\\w+)\\.class");

    @Test
    void directMappedClassesAreThoseTheSourcesRegister() throws IOException {
        assertThat(new TreeSet<>(ReflectiveAccess.DIRECT_MAPPED)).isEqualTo(found(REGISTER));
    }

    @Test
    void varHandleOwnersAreThoseTheSourcesLookUp() throws IOException {
        assertThat(new TreeSet<>(ReflectiveAccess.VAR_HANDLE_OWNERS)).isEqualTo(found(VAR_HANDLE));
    }

    @Test
    void everyListedClassExists() throws Exception {
        ClassLoader cl = getClass().getClassLoader();
        for (String name : Stream.of(ReflectiveAccess.DIRECT_MAPPED, ReflectiveAccess.VAR_HANDLE_OWNERS,
                ReflectiveAccess.JNA_JNI).flatMap(java.util.List::stream).toList()) {
            assertThat(Class.forName(name, false, cl)).as(name).isNotNull();
        }
        assertThat(Class.forName(ReflectiveAccess.SIGNAL, false, cl).getMethod("getNumber")).isNotNull();
        assertThat(Class.forName(ReflectiveAccess.SIGNAL_HANDLER, false, cl).isInterface()).isTrue();
        String dispatch = "com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/"
                + System.mapLibraryName("jnidispatch");
        assertThat(cl.getResource(dispatch)).as(dispatch).isNotNull();
        assertThat(dispatch).matches(ReflectiveAccess.JNA_DISPATCH_LIBRARY.replace(".", "\\.").replace("*", "[^/]*"));
    }

    /** The binary names of the classes the pattern's group names, resolved in the file's package. */
    private static Set<String> found(Pattern pattern) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher m = pattern.matcher(text);
                while (m.find()) {
                    names.add(binaryName(file, text, m.group(1)));
                }
            }
        }
        return names;
    }

    /** {@code Calls} in {@code Kqueue.java} is {@code ...Kqueue$Calls}; {@code Loop} in its own file is {@code ...Loop}. */
    private static String binaryName(Path file, String text, String simple) {
        String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        String outer = file.getFileName().toString().replace(".java", "");
        boolean nested = !simple.equals(outer) && Pattern.compile("static (final )?class " + simple + "\\b")
                .matcher(text).find();
        return pkg + "." + (nested ? outer + "$" + simple : simple);
    }
}
