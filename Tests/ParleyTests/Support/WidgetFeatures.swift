import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ParleyCore
import Testing

/// Files as their first bytes make them, whatever they are called.
enum SampleFile {
    /// A 1×1 PNG (only its signature matters to the server).
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41,
        0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    /// A Windows program's header.
    static let windowsProgram: [UInt8] = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00] + Array(repeating: 0, count: 56)
    static let pdf = Array("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)
    static let text = Array("Order 4711: the parcel never arrived.\n".utf8)
}

extension TestAPI {
    /// A request to `/api/v1/widget/{key}/<path>` from the test sites' origin, as the visitor when a session is given.
    @discardableResult
    func widget(_ method: HTTPRequest.Method, _ site: Site, _ path: String, as session: VisitorSession? = nil,
                json: (any Encodable & Sendable)? = nil, bytes: [UInt8]? = nil) async throws -> TestResponse {
        try await request(method, "/api/v1/widget/\(site.siteKey)/\(path)", json: json, raw: bytes.map { ByteBuffer(bytes: $0) },
                          token: session?.visitorToken, headers: [.origin: Self.siteOrigin])
    }

    /// Uploads `bytes` as the visitor under the file name `filename`.
    func visitorUpload(_ site: Site, _ session: VisitorSession, _ bytes: [UInt8], filename: String, clientID: String? = nil) async throws -> TestResponse {
        var query = "filename=" + (filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        if let clientID { query += "&client_id=\(clientID)" }
        return try await widget(.post, site, "uploads?\(query)", as: session, bytes: bytes)
    }

    /// `PATCH /sites/{id}` with `{"widget": …}`.
    @discardableResult
    func patchWidget(_ account: Account, _ site: Site, _ widget: TestJSON) async throws -> TestResponse {
        try await jsonRequest(.patch, "/api/v1/orgs/\(account.orgID)/sites/\(site.id)", ["widget": widget], token: account.accessToken)
    }

    /// Fetches a signed link's bytes (the link is relative to the server).
    func download(_ link: AttachmentLink) async throws -> TestResponse {
        try await request(.get, link.url)
    }
}

struct AttachmentLink: Decodable, Sendable {
    let url: String
    let expiresAt: Date
}

/// The widget settings as `GET /widget/{key}/settings` answers them.
struct WidgetSettingsReply: Decodable, Sendable {
    let siteId: String
    let name: String
    let themeColor: String
    let position: String
    let greeting: String?
    let replyTime: String?
    let locale: String?
    let prechat: WidgetSettings.Prechat
    let csatEnabled: Bool
    let uploads: WidgetSettings.Uploads
    let identityRequired: Bool
    let agentsOnline: Bool
}
