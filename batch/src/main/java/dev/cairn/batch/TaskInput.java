package dev.cairn.batch;

/**
 * The input a map task reads: a byte range of one file. Lines whose first byte lies in the range
 * belong to it.
 *
 * @param input the job input this file came from, as the job named it ({@link JobSpec#inputs()})
 * @param path the file, qualified ({@code file:/data/a.txt}, {@code cairn:///in/a.txt})
 * @param start first byte of the range
 * @param length bytes in the range
 */
public record TaskInput(String input, String path, long start, long length) {}
