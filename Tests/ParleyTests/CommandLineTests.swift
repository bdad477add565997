import Foundation
import ParleyCore
import ParleyServer
import Testing

/// Runs the built `parley` executable the way an operator would.
struct ParleyCommand {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/parley")

    let database: TestDatabase

    struct Result {
        let status: Int32
        let output: String
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        var arguments = arguments + ["--data-dir", database.directory]
        if let url = database.url { arguments += ["--database-url", url] }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARLEY_") && $0.key != "DATABASE_URL" }
        environment["PARLEY_BCRYPT_COST"] = "4"
        environment["PARLEY_LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output)
    }
}

@Suite("Command line")
struct CommandLineTests {
    @Test("operators create users and organizations, reset passwords and migrate", arguments: Backend.allCases)
    func operatorCommands(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { database in try await operatorCommands(database) }
    }

    private func operatorCommands(_ database: TestDatabase) async throws {
        let parley = ParleyCommand(database: database)
        try #require(FileManager.default.isExecutableFile(atPath: ParleyCommand.executable.path), "build the parley product first")

        let migrate = try parley.run(["migrate"])
        #expect(migrate.status == 0, "\(migrate.output)")
        #expect(migrate.output.contains("applied migrations") || migrate.output.contains("up to date"))

        let user = try parley.run(["user", "create", "--email", "Ops@Example.com", "--name", "Ops", "--password", "a long password 1"])
        #expect(user.status == 0, "\(user.output)")
        #expect(user.output.contains("created user ops@example.com"))

        let org = try parley.run(["org", "create", "--name", "Night Shift", "--owner", "ops@example.com"])
        #expect(org.status == 0, "\(org.output)")
        #expect(org.output.contains("slug night-shift"))

        let missingOwner = try parley.run(["org", "create", "--name", "X", "--owner", "nobody@example.com"])
        #expect(missingOwner.status != 0)
        #expect(missingOwner.output.contains("owner"))

        let reset = try parley.run(["user", "reset-password", "--email", "ops@example.com"])
        #expect(reset.status == 0, "\(reset.output)")
        let password = try #require(reset.output.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst("password: ".count))

        // check: the new password is the one stored, and the organization is the user's
        var config = database.configuration()
        config.bcryptCost = 4
        let runtime = try await ParleyRuntime.open(config: config, logger: quietLogger("cli-check"))
        let credentials = try #require(try await runtime.store.credentials(email: "ops@example.com"))
        #expect(try await runtime.services.passwords.verify(String(password), hash: credentials.passwordHash))
        #expect(try await runtime.store.memberships(userID: credentials.user.id).map(\.organization.name) == ["Night Shift"])
        await runtime.shutdown()

        let again = try parley.run(["migrate"])
        #expect(again.output.contains("schema is up to date"))
    }

    @Test("production refuses to run without its secrets, naming them")
    func productionNeedsSecrets() async throws {
        try await withTestDatabase(.sqlite) { database in
            let result = try ParleyCommand(database: database).run(["migrate"], environment: ["PARLEY_ENV": "production"])
            #expect(result.status != 0)
            #expect(result.output.contains("PARLEY_JWT_SECRET"))
        }
    }
}
