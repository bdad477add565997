import Foundation
import Logging

/// Everything Parley reads from flags and the environment, resolved once at start-up.
/// `docs/configuration.md` and `.env.example` list the same variables; keep them in step.
public struct ParleyConfiguration: Sendable {
    public enum Mode: String, Sendable {
        case development, production
    }

    public var mode: Mode = .development
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./parley-data"
    /// `postgres://…` selects PostgreSQL; nil means SQLite in the data directory.
    public var databaseURL: String?
    public var databaseMaxConnections = 20
    public var publicURL: String?
    public var jwtSecret = ""
    /// Retired signing secrets still accepted for verification, so tokens survive a key rotation.
    public var jwtPreviousSecrets: [String] = []
    public var accessTokenTTL: TimeInterval = 15 * 60
    public var refreshTokenTTL: TimeInterval = 30 * 24 * 3600
    public var invitationTTL: TimeInterval = 7 * 24 * 3600
    /// Visitor tokens are short-lived; the widget starts a new session with its anonymous token.
    public var visitorTokenTTL: TimeInterval = 60 * 60
    public var bcryptCost: UInt8 = 12
    public var loginMaxFailures = 5
    /// Failed logins from one client address, whatever the emails, before the address is locked
    /// out: one email at a time never trips `loginMaxFailures` when a list of them is tried.
    public var loginMaxFailuresPerAddress = 50
    public var loginWindow: TimeInterval = 15 * 60
    public var loginLockout: TimeInterval = 15 * 60
    public var maxBodyBytes = 1 << 20
    /// The largest attachment any site may allow (each site sets its own limit up to this).
    public var maxUploadBytes = 25 << 20
    /// How long a signed attachment download URL stays valid.
    public var attachmentURLTTL: TimeInterval = 5 * 60
    /// How often the files no message holds any more (deleted messages, conversations and sites) are removed.
    public var attachmentSweepInterval: TimeInterval = 60 * 60
    /// Bytes that may wait for one slow WebSocket before it is closed with 4008.
    public var realtimeQueueBytes = 1 << 20
    /// Seconds between keep-alive pings; a socket silent for two of them is closed.
    public var realtimePingInterval: TimeInterval = 30
    /// Commands one socket may send in a burst, and per second after it.
    public var realtimeBurst = 50.0
    public var realtimeRate = 20.0
    /// The same for all of an organization's sockets on one instance together.
    public var realtimeOrgBurst = 2_000.0
    public var realtimeOrgRate = 1_000.0
    /// Widget writes (session starts and messages) per client address, and per site, on each
    /// instance: a burst, then so many per second.
    public var widgetAddressBurst = 30.0
    public var widgetAddressRate = 1.0
    public var widgetSiteBurst = 600.0
    public var widgetSiteRate = 50.0
    /// Behind one reverse proxy: take the client address from the last `X-Forwarded-For` entry
    /// (the one that proxy appended) instead of the connection's peer.
    public var trustProxy = false
    /// Serve the browser code from this directory, re-read on every request (front-end development);
    /// nil serves the copy bundled with the server.
    public var webRoot: String?
    public var logLevel: Logger.Level = .info
    /// `text` (one line per event, metadata as key=value) or `json` (one object per line).
    public var logFormat: LogFormat = .text

    public enum LogFormat: String, Sendable {
        case text, json
    }

    public init() {}

    /// Attachments on local disk, one directory per organization.
    public var attachmentsDirectory: String { URL(fileURLWithPath: dataDirectory).appendingPathComponent("attachments").path }

    public var sqlitePath: String { URL(fileURLWithPath: dataDirectory).appendingPathComponent("parley.sqlite").path }

    public var baseURL: String { publicURL ?? "http://\(host):\(port)" }
}
