import Contracts
import Foundation

/// A send job on Campaigns' own work queue: up to `CampaignDispatch.size` messages, all of one number.
struct CampaignDispatch: Event {
    static let type = EventType.campaignDispatch
    /// Messages per job: small enough that a stopped sender hands back little, large enough that claiming and
    /// recording are few statements.
    static let size = 50

    var messageIDs: [UUID]

    enum CodingKeys: String, CodingKey {
        case messageIDs = "message_ids"
    }

    /// Jobs for messages in send order.
    static func jobs(_ ids: [UUID]) -> [CampaignDispatch] {
        stride(from: 0, to: ids.count, by: size).map { CampaignDispatch(messageIDs: Array(ids[$0..<min($0 + size, ids.count)])) }
    }
}
