package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.StageSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Checks a submitted job jar before any task runs, so mistakes fail the submit with a clear message. */
final class JobJars {
    private JobJars() {}

    static void validate(byte[] jar, String jarName, JobSpec spec) {
        Set<String> classes = classes(jar, jarName);
        if (spec.mapperClass() != null) requireClass(classes, jarName, spec.mapperClass(), "mapper");
        for (var e : spec.inputMappers().entrySet())
            requireClass(classes, jarName, e.getValue(), "mapper of input " + e.getKey());
        requireClass(classes, jarName, spec.reducerClass(), "reducer");
        if (spec.combinerClass() != null) requireClass(classes, jarName, spec.combinerClass(), "combiner");
        if (spec.partitionerClass() != null) requireClass(classes, jarName, spec.partitionerClass(), "partitioner");
    }

    /** A graph's programs must be Cairn's own or in the jar; a MapReduce stage's (empty) is built in. */
    static void validate(byte[] jar, String jarName, JobGraph graph) {
        Set<String> classes = classes(jar, jarName);
        for (StageSpec s : graph.stages()) {
            if (s.programClass().isEmpty())
                throw new IllegalArgumentException(
                        "stage " + s.name() + " names no program; only MapReduce jobs run built-in stages");
            requireClass(classes, jarName, s.programClass(), "program of stage " + s.name());
        }
    }

    private static Set<String> classes(byte[] jar, String jarName) {
        if (jar.length == 0) throw new IllegalArgumentException("job jar " + jarName + " is empty");
        Set<String> classes = new HashSet<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().endsWith(".class")) classes.add(e.getName());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a jar file: " + jarName + " (" + e.getMessage() + ")");
        }
        if (classes.isEmpty())
            throw new IllegalArgumentException("not a jar file, or a jar without classes: " + jarName);
        return classes;
    }

    private static void requireClass(Set<String> classes, String jarName, String className, String role) {
        // Cairn's own classes (a built-in reducer, the dataflow API's stage program) are on every node already.
        if (className.startsWith("dev.cairn.")) return;
        if (!classes.contains(className.replace('.', '/') + ".class")) {
            throw new IllegalArgumentException(role + " class " + className + " not found in job jar " + jarName);
        }
    }
}
