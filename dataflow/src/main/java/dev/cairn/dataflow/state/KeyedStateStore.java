package dev.cairn.dataflow.state;

/**
 * Creates handles on keyed state. Asking twice for the same name returns handles on the same
 * state; asking for one name with two kinds of state fails.
 */
public interface KeyedStateStore {
    <V> ValueState<V> valueState(StateDescriptor.Value<V> descriptor);

    <V> ListState<V> listState(StateDescriptor.List<V> descriptor);

    <MK, MV> MapState<MK, MV> mapState(StateDescriptor.Map<MK, MV> descriptor);
}
