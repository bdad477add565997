import ArgumentParser

@main
struct ParleyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley-bench",
        abstract: "Benchmarks that print figures (not tests).",
        subcommands: [InboxBenchmark.self, RealtimeBenchmark.self, SeedCommand.self])
}
