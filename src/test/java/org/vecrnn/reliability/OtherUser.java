package org.vecrnn.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Running a command as an unprivileged user (65534, nobody) from a test that runs as root, where a file's
 * permissions would not stop anything: the prefix that does it on this machine, and a copy of the classes
 * that user may read (the build's own folder or Maven's repository may be private to root).
 */
final class OtherUser {
    private OtherUser() {}

    static final String UID = "65534";

    /** {@code setpriv} (util-linux, on every Debian) or {@code runuser}, whichever works here; null if neither does. */
    static List<String> command() {
        for (List<String> prefix : List.of(
                List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"),
                List.of("runuser", "-u", "nobody", "--"))) {
            List<String> probe = new ArrayList<>(prefix);
            probe.add("true");
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) return prefix;
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * The class path the command line needs (vecrnn's classes, picocli, jackson-core), copied into {@code into}
     * (created world-readable, its parent must be too), as a class path string.
     */
    static String readableClassPath(Path into) throws IOException {
        Files.createDirectories(into);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String name : new String[] {"org.vecrnn.cli.Main", "picocli.CommandLine", "tools.jackson.core.JacksonException"}) {
            Path from;
            try {
                from = Path.of(Class.forName(name).getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
                throw new IOException(name + ": " + e, e);
            }
            Path to = into.resolve((i++) + "-" + from.getFileName());
            if (Files.isDirectory(from)) copyTree(from, to);
            else Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            entries.add(to.toString());
        }
        try (Stream<Path> all = Files.walk(into)) { // whatever the umask
            for (Path p : (Iterable<Path>) all::iterator)
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            all.forEach(p -> {
                try {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(t);
                    else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
