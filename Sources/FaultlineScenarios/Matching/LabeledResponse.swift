import FaultlineHTTP

/// A response on its way out of the engine with the label it is logged under: the catalog
/// entry served and why (`4003 (validation)`), or Faultline's own error code. The label goes to
/// `ResponseNotes` at the responder's edge; it is never sent.
struct LabeledResponse: Sendable {
    var response: HTTPResponse
    var label: String?

    init(_ response: consuming HTTPResponse, label: consuming String?) {
        self.response = response
        self.label = label
    }

    /// The parts taken, not copied: built from borrowed parts, a rendered answer was made
    /// twice and copied (callgrind showed the copy and the destroy).
    init(status: Int, headers: consuming HTTPHeaders = HTTPHeaders(), body: consuming [UInt8] = [], label: consuming String?, delivery: ResponseDelivery? = nil) {
        response = HTTPResponse(status: status, headers: headers, body: body, delivery: delivery)
        self.label = label
    }

    /// The response, its label handed to `label`: the value is consumed, so both move out.
    /// (Swapping the response out for an empty one copied the whole value and made a new
    /// empty one; returning `.response` of a local copied it and destroyed both.)
    consuming func unlabeled(label: inout String?) -> HTTPResponse {
        label = self.label
        return response
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
