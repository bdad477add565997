import HTTPTypes

/// Header names HTTPTypes does not predefine.
extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginResourcePolicy = Self("Cross-Origin-Resource-Policy")!
    static let truncatedAt = Self("Parley-Truncated")!
}
