import Foundation
import Logging
import ParleyCore
import ParleyStore

/// On a fresh development database, creates a demo organization, its owner, a site and a first
/// conversation, and writes the credentials to `initial-credentials.json` (mode 0600) in the data
/// directory, so `parley serve` is usable with zero configuration.
public enum FirstRun {
    public struct Credentials: Codable, Sendable {
        public let email: String
        public let password: String
        public let organizationId: String
        public let siteKey: String
    }

    public static func seedIfEmpty(_ runtime: ParleyRuntime) async throws -> Credentials? {
        let config = runtime.services.config
        guard config.mode == .development, try await runtime.store.userCount() == 0 else { return nil }
        let password = RandomToken.make(length: 16)
        let hash = try await runtime.services.passwords.hash(password)
        let (user, org) = try await runtime.store.signUp(email: "owner@example.com", name: "Demo Owner", passwordHash: hash,
                                                         organizationName: "Demo")
        guard let scope = try await runtime.store.operatorScope(orgID: org.id) else { return nil }
        let site = try await runtime.store.createSite(scope, name: "Demo site", allowedOrigins: [config.baseURL])
        _ = try await runtime.store.startConversation(scope, siteID: site.id, visitorName: "Ada Visitor",
                                                      visitorEmail: "ada@example.com",
                                                      firstMessage: "Hi! Is anyone there? This is a demo conversation.")
        let credentials = Credentials(email: user.email, password: password, organizationId: org.id, siteKey: site.siteKey)
        let url = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("initial-credentials.json")
        let encoder = JSONCoding.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(credentials).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return credentials
    }
}
