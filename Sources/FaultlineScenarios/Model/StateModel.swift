/// A collection of stored resources a vendor file declares (`collections`): trackings,
/// shipments, labels, products. Items are JSON objects; each key is a list of fields whose
/// values together identify one item.
public struct CollectionSpec: Sendable {
    /// The pseudo-field that stands for the request's client in a key (`["@client", "idempotencyKey"]`).
    public static let clientField = "@client"
    /// Items kept per client when the file says nothing.
    public static let defaultCapacity = 1_000

    public var name: String
    /// Each key's fields, e.g. `[["id"], ["slug", "tracking_number"]]`.
    public var keys: [[String]]
    /// Items kept per client (or in all, when shared); the oldest is evicted past it.
    public var capacity: Int
    /// One collection for every client, each item owned by the client that made it (labels
    /// another account can see exists, and is refused).
    public var shared: Bool
    /// Items every client starts with (a catalogue of products, a balance).
    public var items: [JSONValue]
    public var jsonPath: String
}

/// A response a state step answers with: an endpoint scenario or catalog entry, optionally with
/// the step's item put into its body (`"itemAt": "data.tracking"`).
public struct ResponseRef: Sendable {
    public var name: String
    public var itemAt: String?
    public var jsonPath: String
}

public enum Comparison: String, Sendable, CaseIterable {
    case equals, notEquals, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
}

/// One step of an endpoint's (or a scenario's) `state` list. Steps run in order; the first
/// that answers ends the list, otherwise the endpoint's response is rendered with the last
/// item bound as `{{item}}`.
public indirect enum StateOp: Sendable {
    /// Look an item up by one of the collection's keys; answer `found`/`missing`/`foreign`.
    /// `optional`: skip the step when a `where` value is absent from the request.
    case find(collection: String, where: [(field: String, value: JSONValue)], found: ResponseRef?, missing: ResponseRef?, foreign: ResponseRef?, optional: Bool)
    /// Answer `response` when the comparison holds.
    case when(value: JSONValue, comparison: Comparison, operand: JSONValue, response: ResponseRef)
    /// Store a new item; answer `conflict` (with the existing item bound) when a key is taken.
    case create(collection: String, item: JSONValue, conflict: ResponseRef?)
    /// Replace fields of the bound item.
    case set(JSONValue)
    /// Add numbers to fields of the bound item (negative to subtract).
    case add([(field: String, value: JSONValue)])
    /// Remove the bound item; the response still renders it.
    case delete
    /// A page of the client's items, newest last, as `{{items}}` and `{{list.*}}`.
    case list(collection: String, where: [(field: String, value: JSONValue)], limit: JSONValue?, page: JSONValue?)
    /// The nested steps once per element of an array, each as `{{each}}`.
    case forEach(JSONValue, [StateStep])
}

public struct StateStep: Sendable {
    public var op: StateOp
    public var jsonPath: String
}
