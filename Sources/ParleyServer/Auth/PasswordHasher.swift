import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing and verification, run on the blocking thread pool: a hash takes tens to hundreds
/// of milliseconds and must never stall an event loop.
public struct PasswordHasher: Sendable {
    let cost: UInt8
    private let dummyHash: String

    /// Computes one throwaway hash up front (at start-up, not on a request) for `burnVerification`.
    public init(cost: UInt8) {
        self.cost = cost
        self.dummyHash = Bcrypt.hash("not-a-real-password", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the time a real verification would, so a login for an unknown email answers no faster
    /// than one with a wrong password.
    public func burnVerification(_ password: String) async throws {
        _ = try await verify(password, hash: dummyHash)
    }
}
