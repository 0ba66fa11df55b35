import FaultlineHTTP

/// The delivery a request asks for with Faultline's own query parameters (`delay`, `dribble`):
/// checked before routing, so a malformed value is refused before the request changes anything.
extension ScenarioEngine {
    /// `?delay=` and `?dribble=` on any request: nil when the request asks for neither; a
    /// Faultline 400 naming the parameter when a value is malformed or out of range.
    func requestedDelivery(_ request: HTTPRequest) -> Result<(delay: DelaySpec?, dribble: DribbleSpec?)?, RefusedRequest> {
        // The keys' first bytes, found by the parser, rule out nearly every request at once.
        guard request.queryInitials & deliveryInitials != 0, let query = request.query,
              let first = options.delayParameter.utf8.first, let other = options.dribbleParameter.utf8.first,
              QueryString.hasKey(startingWith: first, in: query) || (other != first && QueryString.hasKey(startingWith: other, in: query)) else { return .success(nil) }
        var delay: DelaySpec?
        var dribble: DribbleSpec?
        if let text = QueryString.first(options.delayParameter, in: query) {
            switch DelaySpec.parse(text) {
            case .success(let spec): delay = spec
            case .failure(let error): return .failure(RefusedRequest(FaultlineResponses.invalidParameter(options.delayParameter, error)))
            }
        }
        if let text = QueryString.first(options.dribbleParameter, in: query) {
            switch DribbleSpec.parse(text) {
            case .success(let spec): dribble = spec
            case .failure(let error): return .failure(RefusedRequest(FaultlineResponses.invalidParameter(options.dribbleParameter, error)))
            }
        }
        return .success(delay == nil && dribble == nil ? nil : (delay, dribble))
    }

    func apply(_ requested: (delay: DelaySpec?, dribble: DribbleSpec?), to response: inout LabeledResponse) {
        var delivery = response.delivery ?? ResponseDelivery()
        if let delay = requested.delay { delivery.delay = delay.seconds(random) }
        if let dribble = requested.dribble { delivery.dribble = (dribble.bytes, dribble.interval) }
        response.delivery = delivery
    }
}
