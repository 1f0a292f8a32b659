import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import Storage
import Synchronization

/// Consumes send jobs (issue 5 point 5): claims the job's messages (queued → sending) before any request, sends each
/// through the Cloud API at the number's rate, retries throttling and provider trouble with backoff (D-17: never
/// dropped), records every outcome, then closes the campaigns that have nothing left in flight. A redelivered job
/// finds its messages claimed and sends nothing again.
struct MessageSender: Sendable {
    let database: Database
    let outbox: Outbox
    let cloud: CloudAPIClient
    let gates: RateGates
    let templates: TemplateCache
    let closer: CampaignCloser
    let balance: LiveChatBalance
    let logger: Logger
    /// Requests in flight per job; the rate gate, not this, sets the pace.
    var parallelRequests = 16
    /// Messages claimed at a time once the first `parallelRequests` are under way: a dying sender leaves at most this
    /// many claimed and never requested, against one more claim statement per wave.
    var claimWave = 8
    /// Outcomes recorded per statement (or fewer, once the first of them waited a second).
    var recordEvery = 10

    func handle(_ delivery: Delivery) async throws {
        let job: CampaignDispatch
        do {
            job = try JSONCoding.decoder().decode(Envelope<CampaignDispatch>.self, from: Data(delivery.body)).data
        } catch {
            logger.error("not a send job; dropped", metadata: ["error": "\(error)"])
            return
        }
        let claims = Claims(job.messageIDs)
        let firstWave: [ClaimedMessage]
        do {
            // The first wave before anything else, so a database outage waits here, before any request.
            firstWave = try await claims.claimNext(parallelRequests, in: database, outbox: outbox)
        } catch {
            // Wait before the requeue, so a short database outage does not burn the job's delivery limit at once.
            try? await Task.sleep(for: .seconds(2))
            throw error
        }
        guard !claims.all.isEmpty || !claims.unclaimed.isEmpty else { return }
        let result = await withTaskGroup(of: Result<[UUID], any Error>?.self) { group in
            group.addTask {
                do { return .success(try await self.sendAndRecord(claims, firstWave: firstWave)) } catch { return .failure(error) }
            }
            // Claims are renewed while the job runs, so the stuck-message sweep never takes a message still in hand.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(60))
                    if Task.isCancelled { break }
                    try? await database.withTransaction { try await MessageStore.renewClaims(claims.all.map(\.id), in: $0) }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .success([])
        }
        let unsent = try result.get()
        for campaign in Set(claims.all.compactMap(\.campaignID)) {
            try await closer.closeIfDone(campaign)
        }
        if !unsent.isEmpty || !claims.unclaimed.isEmpty {
            // Stopping, or a claim failed: the job goes back to the queue with the messages it did not reach.
            throw SenderStopping()
        }
    }

    struct SenderStopping: Error {}

    /// A job's messages are claimed (queued → sending) in waves as requests become free (the first fills every
    /// request slot, the next ones are `claimWave`), not all at once: a sender that dies leaves in "sending" only what it had in hand, which the sweep fails
    /// as `send.outcome_unknown` because it may have gone out; the rest stays queued and the redelivered job sends it.
    final class Claims: Sendable {
        private struct State {
            var all: [ClaimedMessage] = []
            var unclaimed: ArraySlice<UUID>
        }

        private let state: Mutex<State>

        init(_ ids: [UUID]) { state = Mutex(State(unclaimed: ids[...])) }

        var all: [ClaimedMessage] { state.withLock { $0.all } }
        var unclaimed: ArraySlice<UUID> { state.withLock { $0.unclaimed } }

        /// Claims the next `count` of the job's messages that are still queued (fewer when another sender took some).
        /// Answers those of them that may go out (`OptOutGate`).
        func claimNext(_ count: Int, in database: Database, outbox: Outbox) async throws -> [ClaimedMessage] {
            let wave = state.withLock { Array($0.unclaimed.prefix(count)) }
            guard !wave.isEmpty else { return [] }
            let (claimed, sendable) = try await database.withTransaction { transaction in
                let claimed = try await MessageStore.claim(wave, in: transaction)
                return (claimed, try await OptOutGate.sendable(claimed, outbox: outbox, in: transaction))
            }
            state.withLock { state in
                state.unclaimed = state.unclaimed.dropFirst(wave.count)
                // Those the gate failed count too: their campaigns are closed with the rest.
                state.all += claimed
            }
            return sendable
        }
    }

    /// Sends the job's messages and records their outcomes every `recordEvery`, or a second after the first of them,
    /// as they come in, so a crash leaves few accepted messages without their provider id, and early status webhooks
    /// find their message sooner. The next wave is claimed when the claimed ones are all under way; when a claim
    /// fails, the rest of the job is left queued for its redelivery. Answers the messages never tried because the
    /// service is stopping (handed back as queued).
    private func sendAndRecord(_ claims: Claims, firstWave: [ClaimedMessage]) async throws -> [UUID] {
        /// What the group's tasks bring back: a request's outcome (nil: not tried, the service is stopping), or the
        /// reminder that accepted outcomes have waited long enough.
        enum Finished: Sendable {
            case request(ClaimedMessage, SendOutcome?)
            case reminder
        }
        return try await withThrowingTaskGroup(of: Finished.self) { group in
            var pending: [SendOutcome] = []
            var unsent: [UUID] = []
            var ready = firstWave[...]
            var claiming = true
            var reminding = false
            var inFlight = 0
            func startNext() async {
                while claiming, ready.isEmpty, !claims.unclaimed.isEmpty {
                    if Task.isShuttingDownGracefully || Task.isCancelled { return }
                    do {
                        ready = try await claims.claimNext(claimWave, in: database, outbox: outbox)[...]
                    } catch {
                        // The requests in flight still finish and are recorded; the job goes back to the queue for the
                        // messages not yet claimed.
                        logger.warning("could not claim the next messages of a send job", metadata: ["error": "\(String(reflecting: error))"])
                        claiming = false
                    }
                }
                guard let message = ready.popFirst() else { return }
                inFlight += 1
                group.addTask { .request(message, await self.send(message)) }
            }
            for _ in 0..<parallelRequests { await startNext() }
            while inFlight > 0, let finished = try await group.next() {
                switch finished {
                case .request(_, let outcome?):
                    inFlight -= 1
                    pending.append(outcome)
                    if pending.count >= recordEvery {
                        try await record(pending, unsent: [], claimed: claims.all)
                        pending.removeAll(keepingCapacity: true)
                    } else if !reminding {
                        // Every `recordEvery`, or a second after the first: while the rest are throttled for minutes,
                        // an accepted message must not wait that long for its provider id (its early statuses wait
                        // for it).
                        reminding = true
                        group.addTask {
                            try? await Task.sleep(for: .seconds(1))
                            return .reminder
                        }
                    }
                    await startNext()
                case .request(let message, nil):
                    inFlight -= 1
                    unsent.append(message.id)
                    await startNext()
                case .reminder:
                    reminding = false
                    try await record(pending, unsent: [], claimed: claims.all)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            // Every request is done: a reminder still asleep is not waited for.
            group.cancelAll()
            try await record(pending, unsent: unsent, claimed: claims.all)
            return unsent
        }
    }

    /// The requests are made: losing their outcomes now would leave the messages "sending" until the sweeper fails
    /// them as possibly sent, and giving up would also cancel the job's other requests, leaving the messages claimed
    /// but never asked for to the same fate. So a database outage is waited out for as long as the service runs.
    private func record(_ outcomes: [SendOutcome], unsent: [UUID], claimed: [ClaimedMessage]) async throws {
        guard !outcomes.isEmpty || !unsent.isEmpty else { return }
        var attempt = 0
        while true {
            do {
                try await database.withTransaction { transaction in
                    let recorded = try await MessageStore.record(outcomes, in: transaction)
                    let applied = outcomes.filter { recorded.contains($0.messageID) }
                    try await MessageStore.unclaim(unsent, in: transaction)
                    try await publish(applied, claimed: claimed, in: transaction)
                    try await StatusUpdates.applyEarly(applied.compactMap(\.providerMessageID), outbox: outbox, in: transaction)
                }
                return
            } catch {
                attempt += 1
                guard !Task.isShuttingDownGracefully, !Task.isCancelled else { throw error }
                // A statement that fails with the database up will fail again: given up after a few tries.
                if attempt >= 8, await !database.isOutage(error) { throw error }
                logger.warning("could not record send outcomes; retrying", metadata: ["error": "\(String(reflecting: error))", "attempt": "\(attempt)"])
                // Cut short by a graceful stop, which the next failure then ends the wait on.
                await Polling.pause(SendFailure.backoff(attempt: attempt + 2))
            }
        }
    }

    private func send(_ message: ClaimedMessage) async -> SendOutcome? {
        // BI-07: Live Chat messages fail below ₹1; templates were checked when queued (campaign holds, single sends).
        if message.templateID == nil, let refusal = await balance.refusal(message.companyID, logger: logger) {
            return SendOutcome(messageID: message.id, status: .failed, errorCode: refusal.code, errorMessage: refusal.message)
        }
        var body: Data?
        var attempt = 0
        while body == nil {
            if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            do {
                body = try await request(for: message)
            } catch let error as TemplateMessageError {
                return SendOutcome(messageID: message.id, status: .failed, errorCode: "template.values_missing", errorMessage: error.message)
            } catch is TemplateCache.Missing {
                return SendOutcome(messageID: message.id, status: .failed, errorCode: "template.missing", errorMessage: "The template no longer exists.")
            } catch {
                // The database could not be read: wait and try again.
                attempt += 1
                try? await Task.sleep(for: SendFailure.backoff(attempt: attempt))
            }
        }
        guard let body else { return nil }
        attempt = 0
        while true {
            if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            do {
                try await gates.gate(message.numberID).acquire()
            } catch {
                // The bucket's database is unreachable: wait like a throttled send.
                attempt += 1
                try? await Task.sleep(for: SendFailure.backoff(attempt: attempt))
                continue
            }
            switch await cloud.send(body, from: message.phoneNumberID, marketingLite: message.marketingLite) {
            case .accepted(let accepted):
                return SendOutcome(messageID: message.id, status: .sent, providerMessageID: accepted.providerMessageID)
            case .failed(.permanent(let code, let text)):
                return SendOutcome(messageID: message.id, status: .failed, errorCode: code, errorMessage: text)
            case .failed(.unknown(let text)):
                return SendOutcome(messageID: message.id, status: .failed, errorCode: SendFailure.unknownCode, errorMessage: text)
            case .failed(.retry(let code, let text)):
                attempt += 1
                if attempt == 1 || attempt % 20 == 0 {
                    logger.notice("provider asked to slow down or failed; retrying", metadata: ["code": "\(code)", "error": "\(text)", "attempt": "\(attempt)"])
                }
                try? await Task.sleep(for: SendFailure.backoff(attempt: attempt))
            }
        }
    }

    private func request(for message: ClaimedMessage) async throws -> Data {
        switch message.payload {
        case .text(let text):
            return try JSONEncoder().encode(TextMessage(to: message.recipient, body: text))
        case .interactive(let interactive):
            return try JSONEncoder().encode(CloudInteractiveMessage(to: message.recipient, message: interactive))
        case .template(let body, let header, let button):
            guard let templateID = message.templateID else { throw TemplateCache.Missing() }
            let content = try await templates.content(templateID)
            let payload = try TemplateMessage(template: content, to: message.recipient.e164, body: body, header: header, urlButton: button)
            return try JSONEncoder().encode(payload)
        }
    }

    /// `whatsapp.message.status` for what the provider accepted or refused at once.
    private func publish(_ outcomes: [SendOutcome], claimed: [ClaimedMessage], in transaction: Transaction) async throws {
        let byID = Dictionary(uniqueKeysWithValues: claimed.map { ($0.id, $0) })
        let now = Date()
        let envelopes = try outcomes.compactMap { outcome -> EncodedEnvelope? in
            guard let message = byID[outcome.messageID], let status = WhatsAppMessageStatus.Status(rawValue: outcome.status.rawValue) else { return nil }
            return try StatusUpdates.envelope(
                message, providerMessageID: outcome.providerMessageID, status: status, errorCode: outcome.errorCode,
                errorMessage: outcome.errorMessage, at: now)
        }
        try await outbox.enqueue(envelopes, in: transaction)
    }
}

/// Meta's free-form text message, allowed inside the service window only (D-18).
struct TextMessage: Encodable {
    struct Text: Encodable {
        var previewURL = false
        var body: String

        enum CodingKeys: String, CodingKey {
            case body
            case previewURL = "preview_url"
        }
    }

    var messagingProduct = "whatsapp"
    var recipientType = "individual"
    var to: String
    var type = "text"
    var text: Text

    init(to recipient: PhoneNumber, body: String) {
        to = String(recipient.e164.dropFirst())
        text = Text(body: body)
    }

    enum CodingKeys: String, CodingKey {
        case to, type, text
        case messagingProduct = "messaging_product"
        case recipientType = "recipient_type"
    }
}

/// Approved templates never change their content (CA-09), so a sender reads each once. A re-categorisation (CA-08)
/// changes only the category, which the send request does not carry.
final class TemplateCache: Sendable {
    struct Missing: Error {}

    private let database: Database
    private let cache = Mutex<[UUID: TemplateContent]>([:])

    init(database: Database) { self.database = database }

    func content(_ id: UUID) async throws -> TemplateContent {
        if let hit = cache.withLock({ $0[id] }) { return hit }
        guard let template = try await database.withTransaction({ try await TemplateStore.find(id, in: $0) }) else { throw Missing() }
        cache.withLock { $0[id] = template.content }
        return template.content
    }
}
