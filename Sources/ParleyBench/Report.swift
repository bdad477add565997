import Foundation
import Logging

/// The benchmark's figures go through a logger whose lines are the bare messages on standard
/// output, written as they happen (a pipe would otherwise hold them until exit), so they read like
/// a report and can be captured by scripts.
enum Report {
    static let logger = Logger(label: "parley-bench.report") { _ in FigureLogHandler() }

    static func line(_ text: String) {
        logger.info("\(text)")
    }

    private struct FigureLogHandler: LogHandler {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            FileHandle.standardOutput.write(Data((event.message.description + "\n").utf8))
        }
    }
}
