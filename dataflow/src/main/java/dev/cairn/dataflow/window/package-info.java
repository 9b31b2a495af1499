/**
 * Event-time windows on keyed streams: which windows a record belongs to
 * ({@link dev.cairn.dataflow.window.WindowAssigner}) and the window itself
 * ({@link dev.cairn.dataflow.window.TimeWindow}).
 */
package dev.cairn.dataflow.window;
