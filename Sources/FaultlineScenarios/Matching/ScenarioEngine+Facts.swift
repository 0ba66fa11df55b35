extension ScenarioEngine {
    /// What the journal records of a request beyond the request and the response.
    struct RequestFacts {
        var client: String?
        var vendor: String?
        var endpoint: String?
        var metricsTag: Int32 = -1
        var vendorIndex = -1
        var endpointIndex = -1
        /// The request's path, found once by the router.
        var path: Substring = ""
        /// No endpoint matched and an upstream takes the request (`PassThrough`). One reference,
        /// nil on every other request: an `Upstream` and a target inline made every request's
        /// facts 100 bytes larger to set up, copy and destroy (+500 instructions, callgrind).
        var forward: Forwarding?
    }
}
