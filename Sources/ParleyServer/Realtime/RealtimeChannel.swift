import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Every connection the server accepts: HTTP for the API and the dashboard, or a WebSocket
/// upgrade on `/ws`.
///
/// Unlike Hummingbird's WebSocket channel, an upgraded socket keeps no task: once the handshake is
/// admitted, `RealtimeSocketHandler` goes into the pipeline and `handle` returns. An idle socket is
/// then only its NIO channel, that handler and its session, which is what makes 10,000 of them cheap.
/// A refused handshake is answered with the same problem JSON (401, 403, 404) as the REST API.
struct RealtimeChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, Response)
        case webSocket
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let gateway: RealtimeGateway

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // The handshake's verdict, read back on the event loop by the upgrade and fallback handlers.
            let admitted = NIOLoopBoundBox<RealtimeAdmission?>(nil, eventLoop: channel.eventLoop)
            let refused = NIOLoopBoundBox<Response?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: RealtimeGateway.maxFrameSize,
                shouldUpgrade: { channel, head in
                    channel.eventLoop.makeFutureWithTask { await admit(head, logger: logger) }.map { verdict in
                        switch verdict {
                        case .success(let admission):
                            admitted.value = admission
                            return HTTPHeaders()
                        case .failure(let refusal):
                            refused.value = refusal.response
                            return nil
                        }
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        // NIO upgrades only after `shouldUpgrade` returned headers, i.e. after an admission.
                        guard let admission = admitted.value else { throw ChannelError.inappropriateOperationForState }
                        try gateway.open(admission, channel: channel)
                        return .webSocket
                    }
                }
            )
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(upgraders: [upgrader], notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                    try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                    let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    return refused.value.map { .refused(http, $0) } ?? .http(http)
                }
            })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: upgrades)
            configuration.enablePipelining = false  // NIOAsyncChannel serves requests one after another
            configuration.enableErrorHandling = false  // Hummingbird answers parse errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validated them already
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let response):
                try await http.executeThenClose { _, outbound in
                    try await ResponseWriter(outbound: outbound).write(response: response.head, body: response.body)
                }
            case .webSocket:
                return  // the socket lives on in its pipeline
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("the connection closed during the handshake")
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private struct Refusal: Error {
        let response: Response
    }

    /// The gateway's verdict on a handshake, with the refusal already rendered as a problem response.
    private func admit(_ head: HTTPRequestHead, logger: Logger) async -> Result<RealtimeAdmission, Refusal> {
        let request: Request
        do {
            request = Request(head: try HTTPRequest(head, secure: false, splitCookie: false), body: .init(buffer: ByteBuffer()))
        } catch {
            return .failure(Refusal(response: Response(status: .badRequest, headers: [.connection: "close"])))
        }
        let requestID = RequestIDMiddleware<ParleyRequestContext>.id(for: request.headers)
        var logger = logger
        logger[metadataKey: "request_id"] = .string(requestID)
        let problem: Problem
        do {
            return .success(try await gateway.admit(request, logger: logger))
        } catch {
            problem = ProblemMapping.problem(for: error) ?? ProblemMapping.internalError
            if problem.status == .internalServerError {
                logger.critical("WebSocket handshake failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        var response = (try? problem.response(requestID: requestID)) ?? Response(status: problem.status)
        response.headers[.requestID] = requestID
        response.headers[.connection] = "close"
        return .failure(Refusal(response: response))
    }
}
