/**
 * Keyed state: values, lists and maps scoped to the key being processed. Handles come from a
 * {@link dev.cairn.dataflow.state.KeyedStateStore} when a function opens and always act on the
 * current key. Each state declares a codec for its values, so a later runtime can snapshot it
 * and move it between workers key group by key group.
 */
package dev.cairn.dataflow.state;
