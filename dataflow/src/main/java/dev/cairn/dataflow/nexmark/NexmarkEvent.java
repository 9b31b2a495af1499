package dev.cairn.dataflow.nexmark;

/** A Nexmark event as NexmarkGen writes it (Beam's Person, Auction and Bid); times in epoch ms. */
public sealed interface NexmarkEvent {
    long dateTime();

    record Person(
            long id, String name, String emailAddress, String creditCard, String city, String state, long dateTime)
            implements NexmarkEvent {}

    record Auction(
            long id,
            String itemName,
            String description,
            long initialBid,
            long reserve,
            long dateTime,
            long expires,
            long seller,
            long category)
            implements NexmarkEvent {}

    record Bid(long auction, long bidder, long price, long dateTime) implements NexmarkEvent {}
}
