import PostgresNIO
import SQLiteNIO

/// Recognizes a unique-constraint violation from either engine, so callers can rely on the
/// constraint (and answer 409) instead of checking before inserting.
func isUniqueViolation(_ error: any Error) -> Bool {
    if let error = error as? PSQLError {
        return error.serverInfo?[.sqlState] == "23505"
    }
    if let error = error as? SQLiteError {
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
        case .constraint: return error.message.contains("UNIQUE")
        default: return false
        }
    }
    return false
}
