import Hummingbird
import HummingbirdCore
import Logging
import ParleyRealtime
import ParleyStore
import ServiceLifecycle

/// Builds the HTTP router with every route and middleware: the same function serves `parley serve`
/// and the tests (`app.test(.router)` or `.live`).
public func buildRouter(services: ParleyServices, migrator: Migrator) -> Router<ParleyRequestContext> {
    let router = Router(context: ParleyRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: services.metrics))
    router.add(middleware: ProblemMiddleware())
    OperationsController(services: services, migrator: migrator).addRoutes(to: router)
    StaticAssetController(assets: StaticAssets(directory: services.config.webRoot)).addRoutes(to: router)
    // A WebSocket handshake never gets here (`RealtimeChannel` takes it); anything else on /ws does.
    router.get("ws") { _, _ -> Response in throw Problem.webSocketRequired }

    let api = router.group("api/v1")
    let auth = AuthController(services: services)
    let invitations = InvitationController(services: services)
    auth.addPublicRoutes(to: api.group("auth"))
    invitations.addPublicRoutes(to: api)

    let authenticated = api.group().add(middleware: AuthenticationMiddleware(authenticator: services.authenticator))
    auth.addAuthenticatedRoutes(to: authenticated.group("auth"))
    MeController(services: services).addRoutes(to: authenticated.group("me"))
    invitations.addAuthenticatedRoutes(to: authenticated)

    let organization = authenticated.group("orgs/:org").add(middleware: OrganizationScopeMiddleware(store: services.store))
    OrganizationController(services: services).addRoutes(to: organization)
    invitations.addOrganizationRoutes(to: organization)
    SiteController(services: services).addRoutes(to: organization)
    ConversationController(services: services).addRoutes(to: organization)
    MessageController(services: services).addRoutes(to: organization)
    SearchController(services: services).addRoutes(to: organization)
    LeadController(services: services).addRoutes(to: organization)
    CannedResponseController(services: services).addRoutes(to: organization)
    LabelController(services: services).addRoutes(to: organization)
    VisitorController(services: services).addRoutes(to: organization)
    let attachments = AttachmentController(services: services)
    attachments.addOrganizationRoutes(to: organization)
    attachments.addDownloadRoute(to: router)

    // The widget's routes answer the site's allowed origins only, and render their own errors so
    // that those carry the CORS headers too.
    let widget = api.group("widget/:site_key").add(middleware: WidgetOriginMiddleware(store: services.store, ownOrigin: services.config.baseURL))
        .add(middleware: ProblemMiddleware())
    let widgetController = WidgetController(services: services)
    widgetController.addPublicRoutes(to: widget)
    widgetController.addVisitorRoutes(
        to: widget.group().add(middleware: VisitorAuthenticationMiddleware(tokens: services.tokens, store: services.store)))
    return router
}

/// Runs the application until SIGTERM or SIGINT, then shuts down gracefully: WebSockets are closed
/// with 1001 first (`RealtimeDrainService`), then the HTTP server drains.
public func serve(runtime: ParleyRuntime, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: buildApplication(runtime: runtime, onServerRunning: onServerRunning)),
                   .init(service: RealtimeDrainService(sockets: runtime.sockets))],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: runtime.logger))
    try await group.run()
}

/// The Parley application: the router on the configured address, with graceful shutdown.
public func buildApplication(runtime: ParleyRuntime, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    -> some ApplicationProtocol
{
    let config = runtime.services.config
    let gateway = RealtimeGateway(services: runtime.services, hub: runtime.hub, ephemeral: runtime.ephemeral,
                                  presence: runtime.presence, sockets: runtime.sockets)
    return Application(
        router: buildRouter(services: runtime.services, migrator: runtime.migrator),
        server: HTTPServerBuilder { responder in RealtimeChannel(responder: responder, gateway: gateway) },
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Parley"),
        services: [RealtimeKeepAliveService(sockets: runtime.sockets, interval: .seconds(config.realtimePingInterval))],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
        logger: runtime.logger)
}
