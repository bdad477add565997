import Foundation
import ParleyCore
import ParleyStore

/// The token pair a successful sign-up, login, refresh or invitation acceptance returns.
struct TokenPair: Encodable, Sendable {
    let accessToken: String
    let tokenType = "Bearer"
    let expiresIn: Int
    let refreshToken: String
    let user: User
}

extension ParleyServices {
    /// Starts a new session (refresh-token family) for the user and returns its first token pair.
    func startSession(for user: User) async throws -> TokenPair {
        let refresh = tokens.newRefreshToken()
        let sessionID = try await store.startSession(userID: user.id, tokenHash: refresh.hash, expiresAt: refresh.expiresAt)
        let access = try await tokens.accessToken(userID: user.id, sessionID: sessionID)
        return TokenPair(accessToken: access, expiresIn: Int(tokens.accessTTL), refreshToken: refresh.token, user: user)
    }
}
