import Crypto
import Foundation
import Logging

/// A configuration problem, naming every variable at fault so an operator fixes them in one go.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}

/// Reads `ParleyConfiguration` from environment variables (flags are applied on top by the CLI).
public enum ConfigurationLoader {
    public static func load(environment: [String: String], applying overrides: (inout ParleyConfiguration) -> Void = { _ in })
        throws -> ParleyConfiguration
    {
        var config = ParleyConfiguration()
        var problems: [String] = []
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func number<T: LosslessStringConvertible>(_ name: String, _ target: inout T) {
            guard let raw = value(name) else { return }
            if let parsed = T(raw) { target = parsed } else { problems.append("\(name) must be a number, got '\(raw)'") }
        }
        func seconds(_ name: String, _ target: inout TimeInterval) {
            guard let raw = value(name) else { return }
            if let parsed = TimeInterval(raw), parsed > 0 { target = parsed } else { problems.append("\(name) must be a positive number of seconds") }
        }

        if let mode = value("PARLEY_ENV") {
            if let parsed = ParleyConfiguration.Mode(rawValue: mode) { config.mode = parsed } else {
                problems.append("PARLEY_ENV must be 'development' or 'production', got '\(mode)'")
            }
        }
        config.host = value("PARLEY_HOST") ?? config.host
        number("PARLEY_PORT", &config.port)
        config.dataDirectory = value("PARLEY_DATA_DIR") ?? config.dataDirectory
        config.databaseURL = value("DATABASE_URL")
        number("PARLEY_DB_MAX_CONNECTIONS", &config.databaseMaxConnections)
        config.publicURL = value("PARLEY_PUBLIC_URL")
        config.jwtSecret = value("PARLEY_JWT_SECRET") ?? ""
        config.jwtPreviousSecrets = value("PARLEY_JWT_PREVIOUS_SECRETS")?.split(separator: ",").map(String.init) ?? []
        seconds("PARLEY_ACCESS_TOKEN_TTL", &config.accessTokenTTL)
        seconds("PARLEY_REFRESH_TOKEN_TTL", &config.refreshTokenTTL)
        seconds("PARLEY_INVITATION_TTL", &config.invitationTTL)
        seconds("PARLEY_VISITOR_TOKEN_TTL", &config.visitorTokenTTL)
        number("PARLEY_BCRYPT_COST", &config.bcryptCost)
        number("PARLEY_LOGIN_MAX_FAILURES", &config.loginMaxFailures)
        number("PARLEY_LOGIN_MAX_FAILURES_PER_ADDRESS", &config.loginMaxFailuresPerAddress)
        seconds("PARLEY_LOGIN_LOCKOUT", &config.loginLockout)
        number("PARLEY_MAX_BODY_BYTES", &config.maxBodyBytes)
        number("PARLEY_UPLOAD_MAX_BYTES", &config.maxUploadBytes)
        seconds("PARLEY_ATTACHMENT_URL_TTL", &config.attachmentURLTTL)
        seconds("PARLEY_ATTACHMENT_SWEEP_INTERVAL", &config.attachmentSweepInterval)
        number("PARLEY_WS_QUEUE_BYTES", &config.realtimeQueueBytes)
        seconds("PARLEY_WS_PING_INTERVAL", &config.realtimePingInterval)
        number("PARLEY_WS_BURST", &config.realtimeBurst)
        number("PARLEY_WS_RATE", &config.realtimeRate)
        number("PARLEY_WS_ORG_BURST", &config.realtimeOrgBurst)
        number("PARLEY_WS_ORG_RATE", &config.realtimeOrgRate)
        number("PARLEY_WIDGET_ADDRESS_BURST", &config.widgetAddressBurst)
        number("PARLEY_WIDGET_ADDRESS_RATE", &config.widgetAddressRate)
        number("PARLEY_WIDGET_SITE_BURST", &config.widgetSiteBurst)
        number("PARLEY_WIDGET_SITE_RATE", &config.widgetSiteRate)
        if let trust = value("PARLEY_TRUST_PROXY") {
            if let parsed = Bool(trust) { config.trustProxy = parsed } else { problems.append("PARLEY_TRUST_PROXY must be 'true' or 'false'") }
        }
        config.webRoot = value("PARLEY_WEB_ROOT")
        if let level = value("PARLEY_LOG_LEVEL") {
            if let parsed = Logger.Level(rawValue: level) { config.logLevel = parsed } else {
                problems.append("PARLEY_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
        }
        if let format = value("PARLEY_LOG_FORMAT") {
            if let parsed = ParleyConfiguration.LogFormat(rawValue: format) { config.logFormat = parsed } else {
                problems.append("PARLEY_LOG_FORMAT must be 'text' or 'json'")
            }
        }
        overrides(&config)
        if !(4...31).contains(config.bcryptCost) { problems.append("PARLEY_BCRYPT_COST must be between 4 and 31") }
        if !config.jwtSecret.isEmpty, config.jwtSecret.utf8.count < 32 {
            problems.append("PARLEY_JWT_SECRET must be at least 32 characters")
        }
        if config.mode == .production {
            if config.jwtSecret.isEmpty { problems.append("PARLEY_JWT_SECRET is required in production (32+ random characters)") }
            if config.bcryptCost < 10 { problems.append("PARLEY_BCRYPT_COST must be at least 10 in production") }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return config
    }
}
