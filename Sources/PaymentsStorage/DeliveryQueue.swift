/// SQL over the delivery queue that both stores run as written.
enum DeliveryQueue {
    /// The deliveries still to make, each state through its partial index: the table keeps every delivered row for
    /// the event retention, so a condition spanning both states would read all of it.
    static let waiting = """
        SELECT event_seq FROM webhook_deliveries WHERE state = 'pending'
        UNION ALL SELECT event_seq FROM webhook_deliveries WHERE state = 'delivering'
        """
}
