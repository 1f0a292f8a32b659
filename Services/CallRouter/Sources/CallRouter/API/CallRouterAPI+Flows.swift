import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CallRouterAPI {
    /// D-27, X-09: owners and admins design and publish call flows.
    static let flowRoles: Set<Role> = adminRoles

    @Sendable func createFlow(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<FlowView> {
        let company = try await authorize(context, "callflows.manage", roles: Self.flowRoles).companyID
        let body = try await request.decode(as: FlowRequest.self, context: context)
        let name = body.name ?? "Call flow"
        try TextRules.check(name, field: "name", max: 100, code: "callflow.name.invalid")
        try Self.checkSize(body.graph)
        let flow = CallFlow(
            id: FlowID(), name: name, status: .draft, draft: body.graph, draftVersion: 1, publishedVersion: nil, publishedAt: nil, updatedAt: Date())
        try await database.withTransaction { transaction in
            _ = try await CompanyStore.read(company, in: transaction)
            try await FlowStore.insert(flow, company: company, in: transaction)
        }
        return EditedResponse(status: .created, response: FlowView(flow))
    }

    @Sendable func flows(_ request: Request, context: AppRequestContext) async throws -> Page<FlowView> {
        let company = try await authorize(context, "callflows.read", roles: Self.managerRoles).companyID
        let list = try await database.withTransaction { try await FlowStore.list(company: company, in: $0) }
        return Page(items: list.map { FlowView($0) }, next: nil)
    }

    @Sendable func flow(_ request: Request, context: AppRequestContext) async throws -> FlowView {
        let company = try await authorize(context, "callflows.read", roles: Self.managerRoles).companyID
        let id = try context.id("id", as: FlowID.self)
        return try await database.withTransaction { transaction in
            guard let flow = try await FlowStore.find(id, company: company, in: transaction) else { throw APIError.notFound("flow") }
            var published: CallFlowGraph?
            if let version = flow.publishedVersion { published = try await FlowStore.graph(id, version: version, in: transaction) }
            return FlowView(flow, published: published)
        }
    }

    /// D-03: a draft edit never touches live calls. `version` must be the draft version the edit started from.
    @Sendable func saveDraft(_ request: Request, context: AppRequestContext) async throws -> FlowView {
        let company = try await authorize(context, "callflows.manage", roles: Self.flowRoles).companyID
        let id = try context.id("id", as: FlowID.self)
        let body = try await request.decode(as: FlowRequest.self, context: context)
        try Self.checkSize(body.graph)
        if let name = body.name { try TextRules.check(name, field: "name", max: 100, code: "callflow.name.invalid") }
        return try await database.withTransaction { transaction in
            guard var flow = try await FlowStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("flow") }
            if let version = body.version, version != flow.draftVersion {
                throw APIError.conflict(
                    "callflow.version_conflict", "The draft changed since version \(version) (now \(flow.draftVersion)); reload it and edit again.",
                    field: "version")
            }
            flow.draft = body.graph
            flow.name = body.name ?? flow.name
            flow.draftVersion += 1
            flow.updatedAt = Date()
            try await FlowStore.saveDraft(flow, company: company, in: transaction)
            return FlowView(flow)
        }
    }

    /// D-03, CR-05, CR-09: validate the whole draft against the company's users and departments; 422 lists every
    /// violation with its node; otherwise the draft is the new live version, at once.
    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> FlowView {
        let identity = try await authorize(context, "callflows.publish", roles: Self.flowRoles)
        let company = identity.companyID
        let id = try context.id("id", as: FlowID.self)
        return try await database.withTransaction { transaction in
            guard var flow = try await FlowStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("flow") }
            let violations = FlowValidation.violations(
                of: flow.draft, users: try await UserStore.ids(company: company, in: transaction),
                departments: try await DepartmentStore.ids(company: company, in: transaction), webhooks: control.webhooks.policy)
            if !violations.isEmpty {
                let nodes = Array(Set(violations.compactMap(\.nodeID))).sorted()
                throw APIError(
                    .unprocessableContent, code: "callflow.invalid",
                    message: "The flow cannot be published: \(violations.count) problem(s)" + (nodes.isEmpty ? "." : " in nodes \(nodes.joined(separator: ", "))."),
                    field: "graph",
                    violations: violations.map { violation in
                        APIError.Violation(
                            code: violation.code, field: violation.nodeID.map { "nodes[\($0)].\(violation.field)" } ?? violation.field,
                            message: violation.message)
                    })
            }
            let version = try await FlowStore.publish(flow, by: identity.userID, company: company, in: transaction)
            flow.status = .active
            flow.publishedVersion = version
            flow.publishedAt = Date()
            return FlowView(flow, published: flow.draft)
        }
    }

    /// CR-10: an active flow is never deleted, only disabled; its numbers then answer `no_flow` (CR-12).
    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> FlowView {
        let company = try await authorize(context, "callflows.publish", roles: Self.flowRoles).companyID
        let id = try context.id("id", as: FlowID.self)
        return try await database.withTransaction { transaction in
            guard var flow = try await FlowStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("flow") }
            guard flow.publishedVersion != nil else {
                throw APIError.conflict("callflow.not_published", "A draft that was never published can be deleted instead.")
            }
            flow.status = .disabled
            try await FlowStore.setStatus(id, .disabled, company: company, in: transaction)
            return FlowView(flow)
        }
    }

    /// CR-10: only a draft that was never published can be deleted.
    @Sendable func deleteFlow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try await authorize(context, "callflows.manage", roles: Self.flowRoles).companyID
        let id = try context.id("id", as: FlowID.self)
        try await database.withTransaction { transaction in
            guard let flow = try await FlowStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("flow") }
            guard flow.publishedVersion == nil else {
                throw APIError.conflict(
                    "callflow.active_cannot_delete", "A published call flow cannot be deleted; disable it or route around it (CR-10).")
            }
            try await FlowStore.deleteDraft(id, company: company, in: transaction)
        }
        return Response(status: .noContent)
    }

    static func checkSize(_ graph: CallFlowGraph) throws {
        if graph.nodes.count > FlowValidation.maxNodes {
            throw APIError.unprocessable("callflow.too_many_nodes", "A call flow has at most \(FlowValidation.maxNodes) nodes.", field: "graph.nodes")
        }
    }
}
