/// A vendor file's `retry` section.
extension SpecDecoder {
    mutating func decodeRetry(_ value: JSONValue, at path: String) -> RetrySpec? {
        guard let members = object(value, at: path, allowed: ["description", "answers", "wait", "idempotency", "backoff", "maxAttempts"], required: []) else { return nil }
        var spec = RetrySpec()
        spec.description = string(members, "description", at: path)
        if let answers = members.value(of: "answers") {
            spec.answers = list(answers, at: JSONPath.child(path, "answers")) { decoder, item, itemPath in decoder.decodeAnswerRule(item, at: itemPath) }
        }
        if let wait = members.value(of: "wait") {
            let waitPath = JSONPath.child(path, "wait")
            if let fields = object(wait, at: waitPath, allowed: ["from", "source"], required: ["from"]) {
                spec.waitSource = string(fields, "source", at: waitPath)
                if let from = fields.value(of: "from") {
                    spec.wait = list(from, at: JSONPath.child(waitPath, "from")) { decoder, item, itemPath in decoder.decodeWaitSource(item, at: itemPath) }
                }
            }
        }
        if let idempotency = members.value(of: "idempotency") {
            spec.idempotency = list(idempotency, at: JSONPath.child(path, "idempotency")) { decoder, item, itemPath in decoder.decodeIdempotency(item, at: itemPath) }
        }
        if let backoff = members.value(of: "backoff") {
            let backoffPath = JSONPath.child(path, "backoff")
            if let fields = object(backoff, at: backoffPath, allowed: ["growing", "minFirstDelay", "source"], required: []) {
                spec.growingBackoff = bool(fields, "growing", at: backoffPath) ?? true
                if let delay = number(fields, "minFirstDelay", at: backoffPath) {
                    if delay >= 0 && delay <= 3_600 { spec.minFirstDelay = delay } else { report(JSONPath.child(backoffPath, "minFirstDelay"), "expected seconds from 0 to 3600") }
                }
                spec.backoffSource = string(fields, "source", at: backoffPath)
            }
        }
        if let attempts = count(members, "maxAttempts", at: path) {
            if attempts >= 1 && attempts <= 1_000 { spec.maxAttempts = attempts } else { report(JSONPath.child(path, "maxAttempts"), "expected a whole number from 1 to 1000") }
        }
        return spec
    }

    /// Each element of an array decoded on its own; a non-array is reported.
    private mutating func list<T>(_ value: JSONValue, at path: String, _ decode: (inout SpecDecoder, JSONValue, String) -> T?) -> [T] {
        guard case .array(let items) = value else {
            report(path, "expected an array")
            return []
        }
        var out: [T] = []
        for (i, item) in items.enumerated() {
            if let decoded = decode(&self, item, JSONPath.index(path, i)) { out.append(decoded) }
        }
        return out
    }

    private mutating func decodeAnswerRule(_ value: JSONValue, at path: String) -> RetrySpec.AnswerRule? {
        guard let fields = object(value, at: path, allowed: ["scenarios", "status", "retryable", "source"], required: ["retryable"]) else { return nil }
        let scenarios = strings(fields, "scenarios", at: path)
        var statuses: [Int]?
        if let status = fields.value(of: "status") {
            if case .array(let items) = status, !items.isEmpty, items.allSatisfy({ $0.numberValue.map { $0 >= 100 && $0 <= 599 && $0 == $0.rounded() } ?? false }) {
                statuses = items.compactMap { $0.numberValue.map { Int($0) } }
            } else {
                report(JSONPath.child(path, "status"), "expected a non-empty array of HTTP statuses (100 to 599)")
            }
        }
        if scenarios == nil && statuses == nil { report(path, "a rule names 'scenarios', 'status' or both") }
        guard let retryable = bool(fields, "retryable", at: path) else { return nil }
        return RetrySpec.AnswerRule(scenarios: scenarios, statuses: statuses, retryable: retryable, source: string(fields, "source", at: path))
    }

    private mutating func decodeWaitSource(_ value: JSONValue, at path: String) -> RetrySpec.WaitSource? {
        guard let fields = object(value, at: path, allowed: ["header", "body", "epoch"], required: []) else { return nil }
        let epoch = bool(fields, "epoch", at: path) ?? false
        switch (string(fields, "header", at: path), string(fields, "body", at: path)) {
        case (let header?, nil) where !header.isEmpty:
            return epoch ? .resetHeader(header) : .header(header)
        case (nil, let body?) where !body.isEmpty && !epoch:
            return .body(body)
        default:
            report(path, "expected {\"header\": NAME} (with \"epoch\": true for Unix seconds) or {\"body\": \"dotted.path\"}")
            return nil
        }
    }

    private mutating func decodeIdempotency(_ value: JSONValue, at path: String) -> RetrySpec.IdempotencyRule? {
        guard let fields = object(value, at: path, allowed: ["endpoints", "body", "header", "source"], required: ["endpoints"]) else { return nil }
        let body = string(fields, "body", at: path)
        let header = string(fields, "header", at: path)
        if (body == nil) == (header == nil) { report(path, "the key is in the 'body' (a top-level field) or a 'header', one of the two") }
        return RetrySpec.IdempotencyRule(endpoints: strings(fields, "endpoints", at: path) ?? [], bodyField: body, header: header, source: string(fields, "source", at: path))
    }
}
