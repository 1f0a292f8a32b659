import Contracts
import Foundation
import PostgresNIO
import Storage
import Synchronization

/// A call flow as the API shows it (CR-09, CR-10).
struct CallFlow: Hashable, Sendable {
    enum Status: String, Hashable, Sendable, Codable {
        case draft, active, disabled
    }

    var id: FlowID
    var name: String
    var status: Status
    var draft: CallFlowGraph
    var draftVersion: Int
    var publishedVersion: Int?
    var publishedAt: Date?
    var updatedAt: Date
}

enum FlowKind: IDKind { static let name = "flow_id" }
typealias FlowID = TypedID<FlowKind>

enum FlowStore {
    static let columns = "id, name, status, draft::text, draft_version, published_version, published_at, updated_at"

    static func insert(_ flow: CallFlow, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let draft = try JSONText.encode(flow.draft)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).flows (id, company_id, name, draft) VALUES (\(flow.id.uuid), \(company.uuid), \(flow.name), \(draft)::jsonb)
            """)
    }

    static func find(_ id: FlowID, company: CompanyID, in transaction: Transaction, lock: Bool = false) async throws -> CallFlow? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).flows WHERE company_id = \(company.uuid) AND id = \(id.uuid)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [CallFlow] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).flows WHERE company_id = \(company.uuid) ORDER BY created_at LIMIT 1000")
        var flows: [CallFlow] = []
        for try await row in rows { flows.append(try decode(row)) }
        return flows
    }

    /// D-03: draft edits bump the draft version and never touch what live calls use.
    static func saveDraft(_ flow: CallFlow, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let draft = try JSONText.encode(flow.draft)
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).flows SET name = \(flow.name), draft = \(draft)::jsonb, draft_version = \(flow.draftVersion), updated_at = now()
            WHERE company_id = \(company.uuid) AND id = \(flow.id.uuid)
            """)
    }

    /// CR-09, D-03: the draft becomes the next published version, at once.
    static func publish(_ flow: CallFlow, by user: UserID, company: CompanyID, in transaction: Transaction) async throws -> Int {
        let schema = transaction.schema.rawValue
        let version = (flow.publishedVersion ?? 0) + 1
        let graph = try JSONText.encode(flow.draft)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).flow_versions (flow_id, version, graph, published_by) VALUES (\(flow.id.uuid), \(version), \(graph)::jsonb, \(user.uuid))
            """)
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).flows SET status = 'active', published_version = \(version), published_at = now(), updated_at = now()
            WHERE company_id = \(company.uuid) AND id = \(flow.id.uuid)
            """)
        return version
    }

    static func setStatus(_ id: FlowID, _ status: CallFlow.Status, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).flows SET status = \(status.rawValue), updated_at = now() WHERE company_id = \(company.uuid) AND id = \(id.uuid)")
    }

    /// CR-10: only drafts that were never published can be deleted.
    static func deleteDraft(_ id: FlowID, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).dids SET flow_id = NULL WHERE company_id = \(company.uuid) AND flow_id = \(id.uuid)")
        try await transaction.query(
            "DELETE FROM \(unescaped: schema).flows WHERE company_id = \(company.uuid) AND id = \(id.uuid) AND published_version IS NULL")
    }

    static func graph(_ id: FlowID, version: Int, in transaction: Transaction) async throws -> CallFlowGraph? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT graph::text FROM \(unescaped: schema).flow_versions WHERE flow_id = \(id.uuid) AND version = \(version)")
        for try await text in rows.decode(String.self) { return try JSONText.decode(CallFlowGraph.self, from: text) }
        return nil
    }

    static func decode(_ row: PostgresRow) throws -> CallFlow {
        let (id, name, status, draft, draftVersion, published, publishedAt, updatedAt) = try row.decode(
            (UUID, String, String, String, Int, Int?, Date?, Date).self)
        return CallFlow(
            id: FlowID(id), name: name, status: CallFlow.Status(rawValue: status) ?? .draft,
            draft: try JSONText.decode(CallFlowGraph.self, from: draft), draftVersion: draftVersion, publishedVersion: published,
            publishedAt: publishedAt, updatedAt: updatedAt)
    }
}

/// Published graphs never change (a new publish is a new version), so replicas keep them in memory for good.
/// Bounded: the oldest half is dropped when it grows past `capacity`.
final class FlowCache: Sendable {
    private struct Key: Hashable {
        let flow: FlowID
        let version: Int
    }

    private let state = Mutex<[Key: CallFlowGraph]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func graph(_ flow: FlowID, version: Int, in transaction: Transaction) async throws -> CallFlowGraph? {
        let key = Key(flow: flow, version: version)
        if let cached = state.withLock({ $0[key] }) { return cached }
        guard let graph = try await FlowStore.graph(flow, version: version, in: transaction) else { return nil }
        state.withLock { cache in
            if cache.count >= capacity { cache = Dictionary(uniqueKeysWithValues: cache.prefix(capacity / 2).map { ($0.key, $0.value) }) }
            cache[key] = graph
        }
        return graph
    }
}
