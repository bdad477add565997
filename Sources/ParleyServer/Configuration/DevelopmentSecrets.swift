import Foundation
import Logging
import ParleyCore

/// Development mode never runs on a hard-coded secret: it generates one once into the data
/// directory (mode 0600) and reuses it, so tokens survive restarts.
enum DevelopmentSecrets {
    struct Stored: Codable {
        var jwtSecret: String
    }

    static func fill(_ config: inout ParleyConfiguration, logger: Logger) throws {
        guard config.mode == .development, config.jwtSecret.isEmpty else { return }
        let url = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("secrets.json")
        if let data = try? Data(contentsOf: url), let stored = try? JSONDecoder().decode(Stored.self, from: data) {
            config.jwtSecret = stored.jwtSecret
            return
        }
        let stored = Stored(jwtSecret: RandomToken.make(length: 64))
        try JSONEncoder().encode(stored).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        logger.notice("generated development secrets; set PARLEY_JWT_SECRET in production", metadata: ["file": "\(url.path)"])
        config.jwtSecret = stored.jwtSecret
    }
}
