package dev.cairn.batch;

/**
 * Task counts of one stage of a job.
 *
 * @param failed failed attempts so far (each retried until the attempt limit)
 * @param retried tasks that needed more than one attempt, or whose output was lost and re-made
 */
public record StageStatus(String name, int total, int pending, int running, int done, int failed, int retried) {}
