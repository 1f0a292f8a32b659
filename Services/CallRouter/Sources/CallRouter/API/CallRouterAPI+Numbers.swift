import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

extension CallRouterAPI {
    /// CR-65, CR-08: a number of the company, optionally mapped to a flow. BI-19, CR-68: only a number the company
    /// rents, or a shared number of the operator's pool (`NumberOwnership`).
    @Sendable func createNumber(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<NumberView> {
        let company = try await authorize(context, "dids.manage", roles: Self.adminRoles).companyID
        let body = try await request.decode(as: NumberRequest.self, context: context)
        guard let phone = PhoneNumber(e164: body.number) else {
            throw APIError.unprocessable("did.invalid", "A number is written in E.164, such as +911234567890.", field: "number")
        }
        try Self.checkMissedCall(body.missedCallService ?? false, flow: body.flowID)
        let number = Number(
            number: phone, type: body.type, shared: body.shared ?? false, flowID: body.flowID, createdAt: Date(),
            missedCallService: body.missedCallService ?? false, callMasking: body.callMasking ?? false)
        try await database.withTransaction { transaction in
            _ = try await CompanyStore.read(company, in: transaction)
            let rented = number.shared ? false : try await NumberStore.isRented(phone, by: company, in: transaction)
            switch NumberOwnership.check(shared: number.shared, inPool: sharedPool.numbers.contains(phone), rented: rented) {
            case .allowed: break
            case .notRented:
                throw APIError.unprocessable(
                    "did.not_rented", "Your company does not rent \(phone): buy it under Billing → Numbers; it can be set up here once paid.",
                    field: "number")
            case .notShared:
                throw APIError.unprocessable("did.not_shared", "\(phone) is not one of the platform's shared numbers.", field: "number")
            }
            // Locked, as deleting a flow locks it: a delete at the same moment goes first or sees this number.
            if let flow = body.flowID, try await FlowStore.find(flow, company: company, in: transaction, lock: true) == nil {
                throw APIError.unprocessable("flow.not_found", "No call flow with that id in your company.", field: "flow_id")
            }
            guard try await NumberStore.insert(number, company: company, in: transaction) else {
                throw APIError.conflict("did.exists", "The number \(phone) is already registered.", field: "number")
            }
        }
        return EditedResponse(status: .created, response: NumberView(number))
    }

    @Sendable func numbers(_ request: Request, context: AppRequestContext) async throws -> Page<NumberView> {
        let company = try await authorize(context, "dids.read", roles: Self.callingRoles).companyID
        let list = try await database.withTransaction { try await NumberStore.list(company: company, in: $0) }
        return Page(items: list.map(NumberView.init), next: nil)
    }

    /// CR-08, CR-09: point a number at a flow (or at none); the flow's published version answers its next call.
    @Sendable func mapNumber(_ request: Request, context: AppRequestContext) async throws -> NumberView {
        let company = try await authorize(context, "dids.manage", roles: Self.adminRoles).companyID
        let phone = try Self.number(context)
        let body = try await request.decode(as: NumberMappingRequest.self, context: context)
        try Self.checkMissedCall(body.missedCallService ?? false, flow: body.flowID)
        return try await database.withTransaction { transaction in
            guard try await NumberStore.find(phone, company: company, in: transaction) != nil else { throw APIError.notFound("did") }
            if let flow = body.flowID, try await FlowStore.find(flow, company: company, in: transaction, lock: true) == nil {
                throw APIError.unprocessable("flow.not_found", "No call flow with that id in your company.", field: "flow_id")
            }
            // CR-75: absent leaves masking as it was, so remapping a flow never exposes callers by accident.
            guard let number = try await NumberStore.setFlow(
                phone, flow: body.flowID, missedCallService: body.missedCallService ?? false, callMasking: body.callMasking, company: company,
                in: transaction)
            else { throw APIError.notFound("did") }
            return NumberView(number)
        }
    }

    /// CR-67: admins only; not while a live flow answers on it or a call is on it.
    @Sendable func deleteNumber(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try await authorize(context, "dids.delete", roles: Self.adminRoles).companyID
        let phone = try Self.number(context)
        try await database.withTransaction { transaction in
            guard let number = try await NumberStore.find(phone, company: company, in: transaction) else { throw APIError.notFound("did") }
            if let flowID = number.flowID, let flow = try await FlowStore.find(flowID, company: company, in: transaction), flow.status == .active {
                throw APIError.conflict(
                    "did.in_use", "The number is mapped to the live call flow \(flow.name); unmap it first (CR-67).", field: "number")
            }
            let schema = transaction.schema.rawValue
            let live = try await transaction.query(
                "SELECT 1 FROM \(unescaped: schema).calls WHERE company_id = \(company.uuid) AND did = \(phone.e164) AND live LIMIT 1")
            for try await _ in live { throw APIError.conflict("did.in_use", "A call is in progress on this number.", field: "number") }
            try await NumberStore.delete(phone, company: company, in: transaction)
        }
        return Response(status: .noContent)
    }

    /// CR-74: a Missed Call Service number answers no call, so it plays no flow.
    static func checkMissedCall(_ missedCall: Bool, flow: FlowID?) throws {
        guard missedCall, flow != nil else { return }
        throw APIError.unprocessable(
            "did.missed_call.flow", "A Missed Call Service number drops every call unanswered, so it has no call flow (CR-74).", field: "flow_id")
    }
}
