internal import CSQLite3

/// A value bound to a statement or read from a row, in SQLite's own storage classes.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One open SQLite connection (the system library) with a cache of prepared statements.
///
/// Parsing SQL was a third of SQLite's CPU when every statement was prepared afresh; a statement
/// is now prepared once per connection and reset between uses.
///
/// `@unchecked Sendable`: the connection pointer and the statement cache are mutable and
/// unguarded (opened `SQLITE_OPEN_NOMUTEX`), so the owner must lend the handle to one user at a
/// time; `SQLiteEngine` does, behind each connection's FIFO lock. It moves between threads only
/// that way, never in use on two at once.
public final class SQLiteHandle: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Statements kept per connection. Queries are written with binds, so the distinct texts are
    /// few; variable `IN (…)` lists are what could grow it, and reaching the limit just starts over.
    public static let cacheLimit = 256

    public init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteFailure(code: status, message: "cannot open \(path): \(message)")
        }
        self.db = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the connection; later calls fail.
    public func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        sqlite3_close_v2(db)
        db = nil
    }

    /// Runs one statement, handing each result row to `onRow` with the statement's column names
    /// (the same array for every row of a call).
    public func run(_ sql: String, binds: [SQLiteValue], onRow: (_ columns: [String], _ values: [SQLiteValue]) throws -> Void) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            try check(bind(value, to: statement, at: Int32(index + 1)))
        }
        var columns: [String]?
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status) }
            let names = columns ?? (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
            columns = names
            try onRow(names, (0..<Int32(names.count)).map { value(of: statement, at: $0) })
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        guard db != nil else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        var statement: OpaquePointer?
        let (status, rest) = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            return (status, tail.map { String(cString: $0) } ?? "")
        }
        try check(status)
        guard let statement else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "empty statement") }
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(statement)
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "one statement per call: \(sql)")
        }
        if statements.count >= Self.cacheLimit {
            for old in statements.values { sqlite3_finalize(old) }
            statements = [:]
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: SQLiteValue, to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch value {
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .real(let number): sqlite3_bind_double(statement, index, number)
        case .text(let text):
            text.utf8CString.withUnsafeBufferPointer {
                sqlite3_bind_text64(statement, index, $0.baseAddress, UInt64($0.count - 1), Self.transient, UInt8(SQLITE_UTF8))
            }
        case .blob(let bytes):
            bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient) }
        case .null: sqlite3_bind_null(statement, index)
        }
    }

    private func value(of statement: OpaquePointer, at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let text = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func check(_ status: Int32) throws {
        guard status == SQLITE_OK else { throw failure(status) }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        SQLiteFailure(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
    }

    /// Tells SQLite to copy bound text and blobs (`SQLITE_TRANSIENT`), since Swift owns the memory.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An error from SQLite: its extended result code and message.
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    public var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY: C macros Swift does not import.
        code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8)
    }

    public var description: String { "SQLite error \(code): \(message)" }
}
