extension Duration {
    /// Whole milliseconds, the fraction dropped: what `poll` timeouts and AMQP's `x-expires` take.
    var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
