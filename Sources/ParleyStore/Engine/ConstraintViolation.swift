import ParleySQLite
import PostgresNIO

/// Recognizes a unique-constraint violation from either engine, so callers can rely on the
/// constraint (and answer 409) instead of checking before inserting.
func isUniqueViolation(_ error: any Error) -> Bool {
    if let error = error as? PSQLError {
        return error.serverInfo?[.sqlState] == "23505"
    }
    if let error = error as? SQLiteFailure {
        return error.isUniqueViolation
    }
    return false
}

/// PostgreSQL aborted the statement to break a lock cycle with another transaction (40P01).
func isDeadlock(_ error: any Error) -> Bool {
    (error as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
}
