import FaultlineHTTP

/// Answers chosen by name: `?scenario=`, the header, a sticky scenario, a sequence, chaos,
/// and the built-in names every endpoint offers.
extension ScenarioEngine {
    /// A chaos pick answered as if the request had named it (a name the endpoint lacks falls
    /// through to the normal answer).
    func respondByName(_ name: String, _ request: HTTPRequest, endpoint: CompiledEndpoint, vendor: CompiledVendor, group: RateLimiter.Group?, bucket: String, _ context: inout RenderContext) -> LabeledResponse {
        if let group { context.rate = rateLimiter.peek(group, key: bucket) }
        switch Self.select(name, in: endpoint) {
        case .found(let i) where i > 0:
            return answer(i, endpoint: endpoint, vendor: vendor, client: bucket, &context)
        default:
            return builtin(name, endpoint: endpoint, vendor: vendor, client: bucket, &context) ?? endpoint.responses[0].render(&context)
        }
    }

    /// One draw per request: the first rule whose slice of [0, 1) the draw falls in.
    func chaosPick(_ vendor: CompiledVendor) -> String? {
        var draw = random.unit()
        for rule in vendor.chaos {
            if draw < rule.probability { return rule.scenario }
            draw -= rule.probability
        }
        return nil
    }

    /// Socket faults and gateway pages, offered on every endpoint unless the vendor has a
    /// scenario of the same name. A fault breaks the endpoint's real answer: the request is
    /// processed (a create stores its item) and the response is lost, the case a client's
    /// retry logic must survive.
    func builtin(_ name: String, endpoint: CompiledEndpoint, vendor: CompiledVendor, client: String, _ context: inout RenderContext) -> LabeledResponse? {
        let key = name.lowercased()
        if let fault = BuiltinScenarios.faults[key] {
            var response = answer(0, endpoint: endpoint, vendor: vendor, client: client, &context)
            response.delivery = ResponseDelivery(fault: fault)
            response.label = key
            return response
        }
        return BuiltinScenarios.gateway(key)
    }
}
