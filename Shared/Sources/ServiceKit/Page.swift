public import Hummingbird

/// One page of a list, newest first, with the keyset cursor of the next one.
public struct Page<Item: Codable & Sendable>: ResponseCodable, Sendable {
    public var items: [Item]
    /// Pass as `before` to get the next (older) page; absent on the last page.
    public var next: String?

    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}
