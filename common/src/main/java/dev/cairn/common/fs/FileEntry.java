package dev.cairn.common.fs;

/** A file as {@link FileSystem#listFiles} reports it: its canonical path and its length in bytes. */
public record FileEntry(String path, long length) {}
