package devicetunnel.relay.packaging;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A jar that runs {@code mainClass} from this test's class path as class-data sharing needs it:
 * every entry a jar (CDS archives no classes from directories; the reactor's modules are jarred
 * here) in {@code lib/} beside it, named by a relative manifest Class-Path as a shaded jar's
 * contents would be found. This module's own classes are left out: the agent does not need them.
 */
final class JarClassPath {
    private JarClassPath() {}

    static Path write(Path jar, String mainClass) throws IOException {
        Path lib = Files.createDirectories(jar.resolveSibling("lib"));
        Path ownTarget = Path.of("target").toAbsolutePath();
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry).toAbsolutePath();
            if (source.startsWith(ownTarget) || !Files.exists(source)) {
                continue;
            }
            String name = names.size() + "-" + source.getFileName() + (Files.isDirectory(source) ? ".jar" : "");
            if (Files.isDirectory(source)) {
                jarDirectory(source, lib.resolve(name));
            } else {
                Files.createSymbolicLink(lib.resolve(name), source);
            }
            names.add("lib/" + name);
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, mainClass);
        main.put(Attributes.Name.CLASS_PATH, String.join(" ", names));
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }

    private static void jarDirectory(Path dir, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(dir.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }
}
