public import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds in the first 48 bits, then 74 random bits. Ids made
    /// one after another sort one after another (PostgreSQL compares `uuid` bytewise), so a B-tree over them, such as
    /// the outbox's and the inbox's event ids, grows at its right edge instead of dirtying a random page per insert.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1_000).rounded(.down)))
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { bytes in
            withUnsafeBytes(of: random) { bytes.copyMemory(from: $0) }
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
            bytes[6] = 0x70 | (bytes[6] & 0x0F)
            bytes[8] = 0x80 | (bytes[8] & 0x3F)
        }
        return UUID(uuid: value)
    }

    /// A random (version 4) UUID from the standard library's generator: Foundation's `UUID()` opens, reads and closes
    /// /dev/urandom for every id on Linux (three system calls, ~6 µs); this is two `getrandom` calls (~2 µs).
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        return UUID.random(using: &generator)
    }
}
