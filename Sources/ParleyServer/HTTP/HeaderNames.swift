import HTTPTypes

/// Header names HTTPTypes does not predefine.
extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginResourcePolicy = Self("Cross-Origin-Resource-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let truncatedAt = Self("Parley-Truncated")!
    static let origin = Self("Origin")!
    static let accessControlAllowOrigin = Self("Access-Control-Allow-Origin")!
    static let accessControlAllowMethods = Self("Access-Control-Allow-Methods")!
    static let accessControlAllowHeaders = Self("Access-Control-Allow-Headers")!
    static let accessControlMaxAge = Self("Access-Control-Max-Age")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
}
