import FaultlineHTTP

/// A response on its way out of the engine with the label it is logged under: the catalog
/// entry served and why (`4003 (validation)`), or Faultline's own error code. The label goes to
/// `ResponseNotes` at the responder's edge; it is never sent.
struct LabeledResponse: Sendable {
    var response: HTTPResponse
    var label: String?

    init(_ response: HTTPResponse, label: String?) {
        self.response = response
        self.label = label
    }

    init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], label: String?) {
        self.init(HTTPResponse(status: status, headers: headers, body: body), label: label)
    }

    /// Moves the response out, leaving an empty one: returning `.response` of a local copied
    /// the whole value (five retains) and then destroyed both.
    mutating func takeResponse() -> HTTPResponse {
        var taken = HTTPResponse(status: 0)
        swap(&taken, &response)
        return taken
    }

    var status: Int {
        get { response.status }
        set { response.status = newValue }
    }

    var headers: HTTPHeaders {
        get { response.headers }
        _modify { yield &response.headers }
    }

    var body: [UInt8] {
        get { response.body }
        _modify { yield &response.body }
    }

    var delivery: ResponseDelivery? {
        get { response.delivery }
        set { response.delivery = newValue }
    }
}
