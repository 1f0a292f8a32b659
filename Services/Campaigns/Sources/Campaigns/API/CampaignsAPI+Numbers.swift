import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CampaignsAPI {
    /// The WhatsApp Business Account templates are submitted to.
    @Sendable func setAccount(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("whatsapp.configure", roles: Self.adminRoles).companyID
        let body = try await request.decode(as: AccountRequest.self, context: context)
        guard Self.isProviderID(body.wabaID) else {
            throw APIError.unprocessable("whatsapp.waba_id.invalid", "The WhatsApp Business Account id has 1 to 32 digits.", field: "waba_id")
        }
        return try await database.withTransaction { transaction in
            try await CompanyStore.setWABA(body.wabaID, mmLite: body.mmLite, company: company, in: transaction)
            return AccountView(try await CompanyStore.read(company, in: transaction))
        }
    }

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("whatsapp.read", roles: Self.messagingRoles).companyID
        return AccountView(try await database.withTransaction { try await CompanyStore.read(company, in: $0) })
    }

    @Sendable func createNumber(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<NumberView> {
        let company = try context.require("whatsapp.configure", roles: Self.adminRoles).companyID
        let body = try await request.decode(as: NumberRequest.self, context: context)
        guard let providerID = body.phoneNumberID, Self.isProviderID(providerID) else {
            throw APIError.unprocessable("whatsapp.phone_number_id.invalid", "phone_number_id is the provider's id of the number: 1 to 32 digits.", field: "phone_number_id")
        }
        guard let displayText = body.displayNumber else {
            throw APIError.unprocessable("phone.invalid", "display_number is required, such as +919876543210.", field: "display_number")
        }
        let display = try TextRules.phone(displayText, field: "display_number")
        let settings = try await database.withTransaction { try await CompanyStore.read(company, in: $0) }
        // D-29: business hours start on the company's clock unless the number is given its own.
        var number = WhatsAppNumber(
            id: UUID.random(), companyID: company, phoneNumberID: providerID, displayNumber: display, displayName: "", tier: 1, quality: .green,
            messagesPerSecond: SendRate.standard, timeZone: settings.timeZone, businessHours: [], quotaUsed: 0, createdAt: Date())
        try Self.apply(body, to: &number)
        // D-28: only a number of the company's own business account, as the provider lists it, can be connected.
        guard let waba = settings.wabaID else {
            throw APIError.unprocessable(
                "whatsapp.account.missing", "Connect the WhatsApp Business Account first (PUT /v1/whatsapp/account).", field: "waba_id")
        }
        guard let owned = await cloud.phoneNumbers(waba: waba) else {
            throw APIError(.serviceUnavailable, code: "provider.unavailable", message: "The WhatsApp provider could not be asked; try again.")
        }
        guard owned.contains(providerID) else {
            throw APIError.unprocessable(
                "whatsapp.number.not_in_account", "The provider lists no number \(providerID) in your WhatsApp Business Account \(waba).",
                field: "phone_number_id")
        }
        let stored = try await database.withTransaction { try await NumberStore.insert(number, in: $0) }
        guard let stored else {
            throw APIError.conflict("whatsapp.number.exists", "This number (or its provider id) is already connected.", field: "phone_number_id")
        }
        return EditedResponse(status: .created, response: NumberView(stored, limits: limits))
    }

    @Sendable func numbers(_ request: Request, context: AppRequestContext) async throws -> Page<NumberView> {
        let company = try context.require("whatsapp.read", roles: Self.messagingRoles).companyID
        let list = try await database.withTransaction { try await NumberStore.list(company: company, in: $0) }
        return Page(items: list.map { NumberView($0, limits: limits) }, next: nil)
    }

    @Sendable func number(_ request: Request, context: AppRequestContext) async throws -> NumberView {
        let company = try context.require("whatsapp.read", roles: Self.messagingRoles).companyID
        let id = try Self.uuid(context)
        guard let number = try await database.withTransaction({ try await NumberStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("whatsapp_number")
        }
        return NumberView(number, limits: limits)
    }

    /// Tier and quality normally arrive from the provider's webhook; an admin may correct them, and sets the rate
    /// (D-17), time zone and business hours (CA-53).
    @Sendable func updateNumber(_ request: Request, context: AppRequestContext) async throws -> NumberView {
        let company = try context.require("whatsapp.configure", roles: Self.adminRoles).companyID
        let id = try Self.uuid(context)
        let body = try await request.decode(as: NumberRequest.self, context: context)
        if body.phoneNumberID != nil || body.displayNumber != nil {
            throw APIError.unprocessable(
                "whatsapp.number.immutable", "The provider id and the number cannot change; connect the other number instead.",
                field: body.phoneNumberID != nil ? "phone_number_id" : "display_number")
        }
        return try await database.withTransaction { transaction in
            guard var number = try await NumberStore.find(id, company: company, in: transaction) else { throw APIError.notFound("whatsapp_number") }
            try Self.apply(body, to: &number)
            try await NumberStore.update(number, in: transaction)
            return NumberView(number, limits: limits)
        }
    }

    private static func apply(_ body: NumberRequest, to number: inout WhatsAppNumber) throws {
        if let name = body.displayName {
            number.displayName = try TextRules.trimmed(name, field: "display_name", max: 100, code: "whatsapp.display_name.invalid")
        }
        if let tier = body.tier {
            guard (1...4).contains(tier) else {
                throw APIError.unprocessable("whatsapp.tier.invalid", "The tier is 1 (1,000 a day) to 4 (unlimited), D-12.", field: "tier")
            }
            number.tier = tier
        }
        if let quality = body.quality { number.quality = quality }
        if let rate = body.messagesPerSecond {
            guard SendRate.isValid(rate) else {
                throw APIError.unprocessable(
                    "whatsapp.rate.invalid", "messages_per_second is 1 to \(SendRate.maximum) (D-17; Meta's default is \(SendRate.standard)).",
                    field: "messages_per_second")
            }
            number.messagesPerSecond = rate
        }
        if let zone = body.timeZone {
            guard TimeZone(identifier: zone) != nil else {
                throw APIError.unprocessable("whatsapp.time_zone.invalid", "The time zone is an IANA name such as Asia/Kolkata.", field: "time_zone")
            }
            number.timeZone = zone
        }
        if let hours = body.businessHours {
            for (index, entry) in hours.enumerated() where !entry.isValid {
                throw APIError.unprocessable(
                    "whatsapp.business_hours.invalid", "Each entry has days 1 (Monday) to 7 without repeats and opens before it closes, as HH:mm.",
                    field: "business_hours.\(index)")
            }
            guard hours.count <= 14 else {
                throw APIError.unprocessable("whatsapp.business_hours.invalid", "At most 14 entries.", field: "business_hours")
            }
            number.businessHours = hours
        }
    }

    static func isProviderID(_ text: String) -> Bool { (1...32).contains(text.count) && text.allSatisfy(\.isASCIIDigit) }
}
