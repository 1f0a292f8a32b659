import Billing
import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// A wallet under everything at once: recharges whose provider callbacks come twice or fail first, campaign holds
/// captured and released (sometimes both, racing), usage rated from events published twice, refreshes. Whatever the
/// order, not a paisa is lost or doubled: the cached balance is the ledger's sum, each captured recharge is credited
/// once, each SMS charged once and each conversation charged once or paid once from a captured hold.
@Suite("Billing wallet under concurrent everything")
struct BillingWalletChaosTests {
    actor Holds {
        var items: [(id: String, campaign: CampaignID)] = []
        func add(_ id: String, _ campaign: CampaignID) { items.append((id, campaign)) }
        func pick(_ index: Int) -> (id: String, campaign: CampaignID)? { items.isEmpty ? nil : items[index % items.count] }
    }

    /// What a worker did, to be checked against the ledger.
    struct Done: Sendable {
        var recharged: [String] = []
        var sms: Set<UUID> = []
        var conversations: Set<String> = []
        var events: [EncodedEnvelope] = []
    }

    @Test("BI-01, D-15, D-19: concurrent recharges, duplicate callbacks, holds captured and released, usage published twice: the balance is the ledger's sum, each recharge credited once, each SMS charged once, each conversation charged or drawn once")
    func walletUnderEverything() async throws {
        let seed = CallChaosTests.seed()
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(5_000))
            let manager = try await billing.token(company, role: .manager)
            let publisher = try TestEnvironment.connection("billing-chaos")
            publisher.start()
            try await publisher.waitUntilConnected()
            let holds = Holds()
            let done = try await withThrowingTaskGroup(of: Done.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        try await Self.work(
                            billing: billing, company: company, manager: manager, publisher: publisher, holds: holds,
                            random: CallChaosTests.Seeded(state: seed &+ UInt64(worker)), seed: seed)
                    }
                }
                var all = Done()
                for try await part in group {
                    all.recharged += part.recharged
                    all.sms.formUnion(part.sms)
                    all.conversations.formUnion(part.conversations)
                    all.events += part.events
                }
                return all
            }
            await publisher.shutdown()
            let ids = done.events.map(\.header.id.uuid.uuidString).joined(separator: ",")
            try await eventually(timeout: .seconds(90), "every event was rated") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.inbox WHERE event_id = ANY('{\(ids)}'::uuid[])") == done.events.count
            }

            let rows = try await billing.database.query(
                """
                SELECT COALESCE(sum(CASE WHEN credit = 'wallet' THEN amount WHEN debit = 'wallet' THEN -amount ELSE 0 END), 0)::bigint,
                       count(*) FILTER (WHERE kind = 'sms')::int, count(*) FILTER (WHERE kind = 'whatsapp')::int,
                       COALESCE(sum(amount) FILTER (WHERE kind = 'payment'), 0)::bigint, count(*) FILTER (WHERE kind = 'payment')::int
                FROM billing.ledger WHERE company_id = \(company.uuid)
                """)
            let succeeded = try await billing.database.query(
                "SELECT COALESCE(sum(amount), 0)::bigint, count(*)::int FROM billing.payments WHERE company_id = \(company.uuid) AND status = 'succeeded'")
            var paid: (amount: Int64, count: Int) = (0, 0)
            for try await row in succeeded.decode((Int64, Int).self) { paid = row }
            #expect(paid.count == done.recharged.count + 1, "seed \(seed): every recharge captured once (and the first)")
            for try await (sum, sms, conversations, credited, payments) in rows.decode((Int64, Int, Int, Int64, Int).self) {
                #expect(try await billing.balance(company) == Money(paise: sum), "seed \(seed): the cached balance is the ledger's sum")
                #expect(sms == done.sms.count, "seed \(seed): each SMS charged once")
                // A conversation of a campaign whose hold was captured with money left is paid from the capture: a
                // draw, no ledger entry of its own.
                #expect(conversations <= done.conversations.count, "seed \(seed)")
                #expect(payments == paid.count, "seed \(seed): each captured recharge credited once")
                #expect(credited == paid.amount, "seed \(seed): credited what was paid")
            }
            let paidFor = try await billing.database.query(
                """
                SELECT count(DISTINCT source)::int FROM (
                    SELECT source FROM billing.ledger WHERE company_id = \(company.uuid) AND kind = 'whatsapp'
                    UNION ALL SELECT source FROM billing.reservation_draws WHERE company_id = \(company.uuid)) AS paid
                """)
            for try await count in paidFor.decode(Int.self) {
                #expect(count == done.conversations.count, "seed \(seed): each conversation charged or drawn")
            }
        }
    }

    static func work(
        billing: BillingHarness, company: CompanyID, manager: String, publisher: AMQPConnection, holds: Holds,
        random initial: CallChaosTests.Seeded, seed: UInt64
    ) async throws -> Done {
        var random = initial
        var done = Done()
        func publish(_ envelope: EncodedEnvelope, twice: Bool) async throws {
            try await publisher.publishUntilConfirmed(twice ? [envelope, envelope] : [envelope])
            done.events.append(envelope)
        }
        for _ in 0..<15 {
            switch Int.random(in: 0..<7, using: &random) {
            case 0:
                // A recharge; the provider's callback comes twice at once, or a failure is reported before the capture.
                let amount = Int.random(in: 1_500...3_000, using: &random) * 100
                let created = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":\#(amount),"method":"online"}"#)
                #expect(created.status == 201, "seed \(seed): \(created.text)")
                let id = try #require(try created.json()["id"] as? String)
                let total = try #require(try created.json()["total_payable"] as? Int)
                let capture = #"{"event":"payment.captured","payment_id":"\#(id)","provider_reference":"pay_\#(id.prefix(8))","amount":\#(total)}"#
                if Bool.random(using: &random) {
                    async let first = billing.providerWebhook(capture)
                    async let second = billing.providerWebhook(capture)
                    let statuses = try await [first.status, second.status]
                    #expect(statuses == [200, 200], "seed \(seed)")
                } else {
                    _ = try await billing.providerWebhook(#"{"event":"payment.failed","payment_id":"\#(id)"}"#)
                    #expect(try await billing.providerWebhook(capture).status == 200, "seed \(seed)")
                }
                done.recharged.append(id)
            case 1:
                let notification = UUID()
                done.sms.insert(notification)
                let delivered = NotificationDelivered(
                    notificationID: notification, channel: .sms, kind: .transactional, recipient: "+919876543210",
                    text: "Your call was recorded", deliveredAt: Date())
                try await publish(try EncodedEnvelope(Envelope(companyID: company, data: delivered)), twice: Bool.random(using: &random))
                // Published again by its producer under a new event id (a retry after a crash): the SMS is the source.
                if Int.random(in: 0..<3, using: &random) == 0 {
                    try await publish(try EncodedEnvelope(Envelope(companyID: company, data: delivered)), twice: false)
                }
            case 2:
                let campaign = CampaignID()
                let hold = try await billing.call(
                    "POST", "/v1/billing/reservations", token: manager,
                    json: #"{"amount":\#(Int.random(in: 10...500, using: &random) * 100),"reference":"\#(CampaignHold.reference(campaign))"}"#)
                #expect(hold.status < 500, "seed \(seed): \(hold.text)")
                if hold.status == 201, let id = try hold.json()["id"] as? String { await holds.add(id, campaign) }
            case 3:
                // Capture, or capture and release racing.
                guard let hold = await holds.pick(Int.random(in: 0..<100, using: &random)) else { continue }
                let capture = #"{"amount":\#(Int.random(in: 0...600, using: &random) * 100)}"#
                async let captured = billing.call("POST", "/v1/billing/reservations/\(hold.id)/capture", token: manager, json: capture)
                if Bool.random(using: &random) {
                    let released = try await billing.call("POST", "/v1/billing/reservations/\(hold.id)/release", token: manager)
                    #expect(released.status < 500, "seed \(seed): \(released.text)")
                }
                let status = try await captured.status
                #expect(status < 500, "seed \(seed)")
            case 4:
                guard let hold = await holds.pick(Int.random(in: 0..<100, using: &random)) else { continue }
                #expect(try await billing.call("POST", "/v1/billing/reservations/\(hold.id)/release", token: manager).status < 500, "seed \(seed)")
            case 5:
                // A conversation, of a campaign holding credit or of none.
                let campaign = Bool.random(using: &random) ? await holds.pick(Int.random(in: 0..<100, using: &random))?.campaign : nil
                let conversation = "chaos-\(UUID())"
                done.conversations.insert(conversation)
                try await publish(
                    try EncodedEnvelope(Envelope(companyID: company, data: WhatsAppConversationOpened(
                        conversationID: conversation, category: .marketing, phoneNumberID: "1", recipient: PhoneNumber(e164: "+919876543210")!,
                        openedAt: Date(), campaignID: campaign))),
                    twice: Bool.random(using: &random))
            default:
                #expect(try await billing.call("POST", "/v1/billing/refresh", as: company).status < 500, "seed \(seed)")
            }
        }
        return done
    }
}
