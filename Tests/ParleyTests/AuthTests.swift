import Foundation
import HTTPTypes
import HummingbirdOTP
import ParleyCore
import ParleyServer
import Testing

@Suite("Authentication")
struct AuthTests {
    @Test("sign-up returns tokens that reach the new organization", arguments: Backend.allCases)
    func signUpAndMe(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp("ada@example.com", org: "Ada Corp")
            let me = try api.decode(TestAPI.MeReply.self, try await api.request(.get, "/api/v1/me", token: owner.accessToken))
            #expect(me.user.email == "ada@example.com")
            #expect(me.memberships.map(\.organization.name) == ["Ada Corp"])
            #expect(me.memberships.map(\.role) == [.owner])
        }
    }

    @Test("duplicate email is a 409 naming the conflict", arguments: Backend.allCases)
    func duplicateSignUp(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            _ = try await api.signUp("dup@example.com")
            let again = try await api.request(.post, "/api/v1/auth/signup", json: [
                "email": "DUP@example.com", "password": TestAPI.password, "name": "X", "organization_name": "Y",
            ])
            #expect(again.status == .conflict)
            #expect(try api.problem(again).detail?.contains("email") == true)
        }
    }

    @Test("login checks the password; wrong password and unknown email answer alike", arguments: Backend.allCases)
    func login(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            _ = try await api.signUp("bob@example.com")
            let ok = try await api.request(.post, "/api/v1/auth/login", json: ["email": "bob@example.com", "password": TestAPI.password])
            #expect(ok.status == .ok)
            let wrong = try await api.request(.post, "/api/v1/auth/login", json: ["email": "bob@example.com", "password": "nope nope nope"])
            let unknown = try await api.request(.post, "/api/v1/auth/login", json: ["email": "eve@example.com", "password": "nope nope nope"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(try api.problem(wrong).type == api.problem(unknown).type)
        }
    }

    @Test("repeated failures lock the account for a while, then it opens again", arguments: Backend.allCases)
    func bruteForceLockout(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock, configure: { $0.loginMaxFailures = 3 }) { api in
            _ = try await api.signUp("carol@example.com")
            for _ in 0..<2 {
                let failed = try await api.request(.post, "/api/v1/auth/login", json: ["email": "carol@example.com", "password": "wrong password!"])
                #expect(failed.status == .unauthorized)
            }
            let locking = try await api.request(.post, "/api/v1/auth/login", json: ["email": "carol@example.com", "password": "wrong password!"])
            #expect(locking.status == .tooManyRequests)
            // Even the right password is refused while locked.
            let locked = try await api.request(.post, "/api/v1/auth/login", json: ["email": "carol@example.com", "password": TestAPI.password])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
            clock.advance(by: api.runtime.services.config.loginLockout + 1)
            let after = try await api.request(.post, "/api/v1/auth/login", json: ["email": "carol@example.com", "password": TestAPI.password])
            #expect(after.status == .ok)
        }
    }

    @Test("failed logins from one address lock it out whatever the emails, a success there does not reset the count, other addresses sign in",
          arguments: Backend.allCases)
    func addressLockout(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock, configure: { $0.loginMaxFailuresPerAddress = 3; $0.trustProxy = true }) { api in
            _ = try await api.signUp("dave@example.com")
            let login = { (email: String, password: String, address: String) in
                try await api.request(.post, "/api/v1/auth/login", json: ["email": email, "password": password],
                                      headers: [HTTPField.Name("X-Forwarded-For")!: "10.0.0.1, \(address)"])
            }
            let attacker = "203.0.113.7"
            // A list of accounts, one try each: no email reaches its own limit.
            #expect(try await login("a@example.com", "guess guess 1", attacker).status == .unauthorized)
            #expect(try await login("dave@example.com", "guess guess 2", attacker).status == .unauthorized)
            #expect(try await login("dave@example.com", TestAPI.password, attacker).status == .ok)
            let locking = try await login("c@example.com", "guess guess 3", attacker)
            #expect(locking.status == .tooManyRequests)
            #expect(try api.problem(locking).type == "urn:parley:problem:login-locked")
            let locked = try await login("dave@example.com", TestAPI.password, attacker)
            #expect(locked.status == .tooManyRequests, "the address is locked, even for a right password")
            #expect(locked.headers[.retryAfter] != nil)
            #expect(try await login("dave@example.com", TestAPI.password, "198.51.100.2").status == .ok, "another address is not")
            clock.advance(by: api.runtime.services.config.loginLockout + 1)
            #expect(try await login("dave@example.com", TestAPI.password, attacker).status == .ok)
        }
    }

    @Test("expired and tampered access tokens are rejected", arguments: Backend.allCases)
    func expiredAndTampered(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let owner = try await api.signUp()
            #expect(try await api.request(.get, "/api/v1/me", token: owner.accessToken).status == .ok)

            var parts = owner.accessToken.split(separator: ".").map(String.init)
            // Claim another user's id with the original signature.
            let payload = try #require(Data(base64URL: parts[1]))
            var claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            claims["sub"] = "usr_someoneelse"
            parts[1] = try JSONSerialization.data(withJSONObject: claims).base64URLEncoded()
            let tampered = try await api.request(.get, "/api/v1/me", token: parts.joined(separator: "."))
            #expect(tampered.status == .unauthorized)
            #expect(try api.problem(tampered).type == "urn:parley:problem:invalid-token")

            let garbage = try await api.request(.get, "/api/v1/me", token: "not.a.jwt")
            #expect(garbage.status == .unauthorized)

            clock.advance(by: api.runtime.services.config.accessTokenTTL + 1)
            let expired = try await api.request(.get, "/api/v1/me", token: owner.accessToken)
            #expect(expired.status == .unauthorized)
            #expect(try api.problem(expired).type == "urn:parley:problem:token-expired")
        }
    }

    @Test("a token signed with another secret is rejected; one signed with a previous secret still works")
    func keyRotation() async throws {
        let clock = ManualClock()
        let old = await TokenService(secret: String(repeating: "o", count: 40), previousSecrets: [], accessTTL: 60, refreshTTL: 60, clock: clock)
        let rotated = await TokenService(secret: String(repeating: "n", count: 40), previousSecrets: [String(repeating: "o", count: 40)],
                                         accessTTL: 60, refreshTTL: 60, clock: clock)
        let stranger = await TokenService(secret: String(repeating: "x", count: 40), previousSecrets: [], accessTTL: 60, refreshTTL: 60, clock: clock)
        let token = try await old.accessToken(userID: "usr_1", sessionID: "ses_1")
        let identity = try await rotated.verify(token)
        #expect(identity.userID == "usr_1" && identity.sessionID == "ses_1")
        await #expect(throws: TokenService.Failure.invalid) { try await stranger.verify(token) }
    }

    @Test("refresh rotates the token; reusing an old one revokes the whole family", arguments: Backend.allCases)
    func refreshRotationAndReuse(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let first = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": owner.refreshToken])
            #expect(first.status == .ok)
            let rotated = try api.decode(TestAPI.TokenReply.self, first)
            #expect(rotated.refreshToken != owner.refreshToken)
            #expect(try await api.request(.get, "/api/v1/me", token: rotated.accessToken).status == .ok)

            // The old token again: reuse. The family dies, including the newest tokens.
            let reuse = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": owner.refreshToken])
            #expect(reuse.status == .unauthorized)
            #expect(try api.problem(reuse).type == "urn:parley:problem:refresh-token-reused")
            let newest = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": rotated.refreshToken])
            #expect(newest.status == .unauthorized)
            #expect(try await api.request(.get, "/api/v1/me", token: rotated.accessToken).status == .unauthorized)
            #expect(try await api.request(.get, "/api/v1/me", token: owner.accessToken).status == .unauthorized)
        }
    }

    @Test("logout revokes the session; logout-all revokes every session", arguments: Backend.allCases)
    func logout(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp("dan@example.com")
            let second = try api.decode(TestAPI.TokenReply.self, try await api.request(
                .post, "/api/v1/auth/login", json: ["email": "dan@example.com", "password": TestAPI.password]))
            #expect(try await api.request(.post, "/api/v1/auth/logout", token: owner.accessToken).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/me", token: owner.accessToken).status == .unauthorized)
            let refresh = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": owner.refreshToken])
            #expect(refresh.status == .unauthorized)
            // The other session lives until logout-all.
            #expect(try await api.request(.get, "/api/v1/me", token: second.accessToken).status == .ok)
            #expect(try await api.request(.post, "/api/v1/auth/logout-all", token: second.accessToken).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/me", token: second.accessToken).status == .unauthorized)
        }
    }

    @Test("TOTP: once enabled, login needs a valid code", arguments: Backend.allCases)
    func totpEnforced(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let owner = try await api.signUp("erin@example.com")
            struct Setup: Decodable { let secret: String, manualEntryKey: String, otpauthUrl: String }
            let setup = try api.decode(Setup.self, try await api.request(.post, "/api/v1/me/totp/setup", token: owner.accessToken))
            #expect(setup.otpauthUrl.hasPrefix("otpauth://totp/"))
            // The key typed into an authenticator app is the URL's secret: base32 of the key's bytes.
            let urlKey = URLComponents(string: setup.otpauthUrl)?.queryItems?.first { $0.name == "secret" }?.value
            #expect(urlKey?.uppercased() == setup.manualEntryKey && setup.manualEntryKey.count == 32)
            let code = { String(format: "%06d", TOTP(secret: setup.secret).compute(date: clock.now())) }
            let wrongEnable = try await api.request(.post, "/api/v1/me/totp/enable", json: ["code": "000000"], token: owner.accessToken)
            #expect(wrongEnable.status == .unprocessableContent || code() == "000000")
            #expect(try await api.request(.post, "/api/v1/me/totp/enable", json: ["code": code()], token: owner.accessToken).status == .noContent)

            let noCode = try await api.request(.post, "/api/v1/auth/login", json: ["email": "erin@example.com", "password": TestAPI.password])
            #expect(noCode.status == .unauthorized)
            #expect(try api.problem(noCode).type == "urn:parley:problem:totp-required")
            let badCode = try await api.request(.post, "/api/v1/auth/login", json: [
                "email": "erin@example.com", "password": TestAPI.password, "totp_code": code() == "123456" ? "654321" : "123456",
            ])
            #expect(badCode.status == .unauthorized)
            let login = { (totp: String) in
                try await api.request(.post, "/api/v1/auth/login", json: ["email": "erin@example.com", "password": TestAPI.password, "totp_code": totp])
            }
            // Each code works once (RFC 6238 §5.2): the one that enabled two-factor cannot sign in.
            let replayedEnable = try await login(code())
            #expect(replayedEnable.status == .unauthorized)
            #expect(try api.problem(replayedEnable).type == "urn:parley:problem:totp-used")
            clock.advance(by: 30)
            let used = code()
            #expect(try await login(used).status == .ok)
            #expect(try await login(used).status == .unauthorized, "a code that signed in once signs in again")
            clock.advance(by: 30)
            #expect(try await login(used).status == .unauthorized, "an earlier code, still within drift, after a later one was used")
            #expect(try await login(code()).status == .ok)
            // A code from ten minutes ago is no longer accepted.
            let stale = String(format: "%06d", TOTP(secret: setup.secret).compute(date: clock.now().addingTimeInterval(-600)))
            let staleLogin = try await api.request(.post, "/api/v1/auth/login", json: [
                "email": "erin@example.com", "password": TestAPI.password, "totp_code": stale,
            ])
            #expect(staleLogin.status == .unauthorized || stale == code())
        }
    }
}

extension Data {
    init?(base64URL text: some StringProtocol) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
