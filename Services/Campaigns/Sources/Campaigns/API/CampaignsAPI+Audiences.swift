import Contracts
import Foundation
import Hummingbird
import NIOPosix
import ServiceKit
import Storage

extension CampaignsAPI {
    /// CA-30: the sample file, `?format=csv` (default) or `xlsx`.
    @Sendable func sampleFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require("audiences.read", roles: Self.campaignRoles)
        switch request.uri.queryParameters["format"].map(String.init) ?? "csv" {
        case "csv":
            return CSV.response(SampleFile.csv, filename: SampleFile.csvFilename)
        case "xlsx":
            let data = try SampleFile.xlsx()
            return Response(
                status: .ok,
                headers: [.contentType: SampleFile.xlsxContentType, .contentDisposition: "attachment; filename=\"\(SampleFile.xlsxFilename)\""],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        default:
            throw APIError.badRequest("request.query_invalid", "format is csv or xlsx.", field: "format")
        }
    }

    /// CA-27 … CA-33, D-13: the file is the raw request body; `?filename=` names it (its extension tells CSV from XLSX,
    /// as does the content). Header problems fail the whole upload (422 `audience.header.invalid` listing each one);
    /// bad rows are skipped and reported with their row number and reason.
    @Sendable func uploadAudience(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<AudienceView> {
        let company = try context.require("audiences.manage", roles: Self.campaignRoles).companyID
        let filename = request.uri.queryParameters["filename"].map(String.init) ?? "audience.csv"
        guard (1...200).contains(filename.count), !filename.contains("/"), !TextRules.hasControlCharacters(filename) else {
            throw APIError.badRequest("audience.filename.invalid", "The filename has 1 to 200 characters and no '/'.", field: "filename")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        // Reading a 10 MB workbook takes CPU for a while: on NIO's blocking pool, not the cooperative threads the
        // senders and the runner need.
        let data = Data(buffer.readableBytesView)
        let parsed: Result<AudienceImportResult, AudienceError> = try await NIOThreadPool.singleton.runIfActive {
            Result { () throws(AudienceError) -> AudienceImportResult in try AudienceImport.result(from: data, filename: filename) }
        }
        let result: AudienceImportResult
        switch parsed {
        case .success(let imported): result = imported
        case .failure(let error): throw Self.apiError(error)
        }
        let audience = try await database.withTransaction { transaction in
            try await AudienceStore.insert(id: UUID.random(), company: company, filename: filename, result: result, in: transaction)
        }
        return EditedResponse(status: .created, response: AudienceView(audience, withRows: true))
    }

    @Sendable func audiences(_ request: Request, context: AppRequestContext) async throws -> Page<AudienceView> {
        let company = try context.require("audiences.read", roles: Self.campaignRoles).companyID
        let list = try await database.withTransaction { try await AudienceStore.list(company: company, in: $0) }
        return Page(items: list.map { AudienceView($0, withRows: false) }, next: nil)
    }

    @Sendable func audience(_ request: Request, context: AppRequestContext) async throws -> AudienceView {
        let company = try context.require("audiences.read", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        guard let audience = try await database.withTransaction({ try await AudienceStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("audience")
        }
        return AudienceView(audience, withRows: true)
    }

    /// CA-32: the error report of what was skipped, as CSV (`row,reason,value`).
    @Sendable func skippedReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("audiences.read", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        guard let audience = try await database.withTransaction({ try await AudienceStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("audience")
        }
        var text = CSV.row(["row", "reason", "value"])
        for row in audience.skipped { text += CSV.row([String(row.row), row.reason.rawValue, row.value]) }
        return CSV.response(text, filename: "skipped-\(audience.id.uuidString.lowercased()).csv")
    }

    static func apiError(_ error: AudienceError) -> APIError {
        switch error {
        case .header(let problems):
            return APIError(
                .unprocessableContent, code: error.code, message: error.message, field: "file",
                violations: problems.map { APIError.Violation(code: $0.code, field: "header" + ($0.position.map { ".\($0)" } ?? ""), message: $0.message) })
        case .fileTooLarge:
            return APIError(.contentTooLarge, code: error.code, message: error.message, field: "file")
        default:
            return APIError.unprocessable(error.code, error.message, field: "file")
        }
    }
}
