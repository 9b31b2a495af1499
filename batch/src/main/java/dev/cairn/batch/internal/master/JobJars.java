package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobSpec;
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
        if (spec.mapperClass() != null) requireClass(classes, jarName, spec.mapperClass(), "mapper");
        for (var e : spec.inputMappers().entrySet())
            requireClass(classes, jarName, e.getValue(), "mapper of input " + e.getKey());
        requireClass(classes, jarName, spec.reducerClass(), "reducer");
        if (spec.combinerClass() != null) requireClass(classes, jarName, spec.combinerClass(), "combiner");
        if (spec.partitionerClass() != null) requireClass(classes, jarName, spec.partitionerClass(), "partitioner");
    }

    private static void requireClass(Set<String> classes, String jarName, String className, String role) {
        // Classes of the Cairn API itself (e.g. a built-in reducer) are on every node already.
        if (className.startsWith("dev.cairn.batch.")) return;
        if (!classes.contains(className.replace('.', '/') + ".class")) {
            throw new IllegalArgumentException(role + " class " + className + " not found in job jar " + jarName);
        }
    }
}
