import ArgumentParser
import ParleyCore
import ParleyServer
import ParleyStore

/// Operator commands for organizations.
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Manage organizations.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization owned by an existing user.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Organization name.") var name: String
        @Option(help: "URL slug (derived from the name when omitted).") var slug: String?
        @Option(help: "Email of the user who will own it.") var owner: String

        func run() async throws {
            try await withRuntime(common) { runtime in
                let name = try Rules.name().check(name)
                let slug = try slug.map { try Slug.check($0) }
                guard let owner = try await runtime.store.credentials(email: try Email.normalize(owner)) else {
                    throw ParleyCore.ValidationError(field: "owner", reason: "no user has this email; create it with 'parley user create'")
                }
                let org = try await runtime.store.createOrganization(name: name, slug: slug, ownerID: owner.user.id)
                print("created organization \(org.name) (\(org.id), slug \(org.slug)) owned by \(owner.user.email)")
            }
        }
    }
}

/// Operator commands for users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.",
                                                    subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user, optionally a platform super-admin.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Email address.") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Password (a random one is generated and printed when omitted).") var password: String?
        @Flag(help: "Make the user a platform super-admin.") var superadmin = false

        func run() async throws {
            try await withRuntime(common) { runtime in
                let password = password ?? RandomToken.make(length: 16)
                try PasswordPolicy.check(password)
                let hash = try await runtime.services.passwords.hash(password)
                let user = try await runtime.store.createUser(email: try Email.normalize(email), name: try Rules.name().check(name),
                                                              passwordHash: hash, isSuperadmin: superadmin)
                print("created user \(user.email) (\(user.id))\(superadmin ? " as super-admin" : "")")
                if self.password == nil { print("password: \(password)") }
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password",
                                                        abstract: "Set a new password and sign the user out everywhere.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Email address.") var email: String
        @Option(help: "New password (a random one is generated and printed when omitted).") var password: String?

        func run() async throws {
            try await withRuntime(common) { runtime in
                guard let user = try await runtime.store.credentials(email: try Email.normalize(email))?.user else {
                    throw ParleyCore.ValidationError(field: "email", reason: "no user has this email")
                }
                let password = password ?? RandomToken.make(length: 16)
                try PasswordPolicy.check(password)
                try await runtime.store.setPasswordHash(userID: user.id, hash: try await runtime.services.passwords.hash(password))
                try await runtime.store.revokeAllSessions(userID: user.id, reason: "password reset by operator")
                print("password reset for \(user.email); all sessions signed out")
                if self.password == nil { print("password: \(password)") }
            }
        }
    }
}

/// Opens the configured database (migrating it), runs `body`, and closes it.
func withRuntime(_ common: CommonOptions, _ body: (ParleyRuntime) async throws -> Void) async throws {
    let config = try common.configuration()
    let runtime = try await ParleyRuntime.open(config: config, logger: common.bootstrapLogging(config))
    do {
        try await body(runtime)
    } catch let error as ParleyCore.ValidationError {
        await runtime.shutdown()
        throw ValidationFailure(message: "\(error.field) \(error.reason)")
    } catch {
        await runtime.shutdown()
        throw error
    }
    await runtime.shutdown()
}

struct ValidationFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
