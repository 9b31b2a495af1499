package dev.cairn.cli;

import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.DataflowJob;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipException;

/**
 * Opens a job jar on the submitting machine and asks its {@link JobDefinition} what to run, so
 * that a wrong path, a file that is not a jar, a missing class or bad arguments are reported in
 * one line before anything reaches the cluster.
 */
final class JobLoader {
    private JobLoader() {}

    @SuppressWarnings("ArrayRecordComponent") // carries the bytes as they are; nothing compares or hashes it
    record Loaded(JobSpec spec, byte[] jar, String jarName) {}

    static Loaded load(Path jar, String className, List<String> args) throws IOException {
        checkJar(jar);
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, JobLoader.class.getClassLoader())) {
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                throw new CliException("class " + className + " not found in " + jar);
            }
            if (!JobDefinition.class.isAssignableFrom(type)) {
                throw new CliException("class " + className + " does not implement " + JobDefinition.class.getName());
            }
            JobDefinition definition;
            try {
                definition = (JobDefinition) type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new CliException("cannot create " + className + ": it needs a public no-argument constructor");
            }
            JobSpec spec;
            try {
                spec = definition.define(args.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            } catch (RuntimeException e) {
                throw new CliException(className + ".define failed: " + e, e);
            }
            return new Loaded(
                    absolutePaths(spec),
                    Files.readAllBytes(jar),
                    jar.getFileName().toString());
        }
    }

    /**
     * The stream job {@code className} in {@code jar} if that class is a {@link DataflowJob}, else
     * null (a batch job, or an error that {@link #load} reports). The class stays loaded: its
     * program is built here.
     */
    static DataflowJob dataflowJob(Path jar, String className) throws IOException {
        checkJar(jar);
        @SuppressWarnings("resource") // lives as long as this command: the program's classes come from it
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, JobLoader.class.getClassLoader());
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            loader.close();
            return null;
        }
        if (!DataflowJob.class.isAssignableFrom(type)) {
            loader.close();
            return null;
        }
        try {
            return (DataflowJob) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new CliException("cannot create " + className + ": it needs a public no-argument constructor");
        }
    }

    /** The names and classes of the jar's bundled examples ({@code META-INF/cairn-examples.properties}). */
    static Properties examples(Path jar) throws IOException {
        checkJar(jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            var entry = jf.getEntry("META-INF/cairn-examples.properties");
            Properties p = new Properties();
            if (entry != null) {
                try (InputStream in = jf.getInputStream(entry)) {
                    p.load(in);
                }
            }
            return p;
        }
    }

    private static void checkJar(Path jar) throws IOException {
        if (!Files.exists(jar)) throw new CliException("job jar not found: " + jar);
        if (!Files.isRegularFile(jar)) throw new CliException("job jar is not a file: " + jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            jf.size();
        } catch (ZipException e) {
            throw new CliException("not a jar file: " + jar);
        }
    }

    /**
     * Nodes may run in other directories: relative local paths are resolved here, where the user
     * typed them. Paths with a scheme ({@code cairn:///data/in.txt}) are absolute already and go
     * as they are.
     */
    private static JobSpec absolutePaths(JobSpec s) {
        return s.withPaths(JobLoader::absolute);
    }

    private static String absolute(String path) {
        return FsPaths.scheme(path) != null
                ? path
                : Path.of(path).toAbsolutePath().normalize().toString();
    }
}
