extension Duration {
    /// Whole milliseconds, the fraction dropped: what AMQP's `x-expires` takes.
    var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole microseconds, the fraction dropped: what the I/O thread's waits take.
    var wholeMicroseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
