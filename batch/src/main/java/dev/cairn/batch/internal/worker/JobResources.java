package dev.cairn.batch.internal.worker;

import static dev.cairn.common.io.FileTrees.deleteRecursively;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a worker holds for one job: its directory (jar, map outputs, shuffle scratch) and the
 * class loader its user code runs in. Released — class loader closed, directory deleted — when
 * the master says the job ended.
 */
final class JobResources implements AutoCloseable {
    final String jobId;
    final Path dir;
    final URLClassLoader loader;

    JobResources(String jobId, Path dir, byte[] jar) throws IOException {
        this.jobId = jobId;
        this.dir = dir;
        Files.createDirectories(dir);
        Path jarFile = dir.resolve("job.jar");
        Files.write(jarFile, jar);
        this.loader = new URLClassLoader(
                "job-" + jobId, new URL[] {jarFile.toUri().toURL()}, JobResources.class.getClassLoader());
    }

    Path mapOutputDir() {
        return dir.resolve("map-output");
    }

    @Override
    public void close() throws IOException {
        loader.close();
        deleteRecursively(dir);
    }
}
