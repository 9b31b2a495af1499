package dev.cairn.batch.internal.master;

/** A byte range of one input file; lines are assigned to the split their first byte falls in. */
record InputSplit(String path, long start, long length) {}
