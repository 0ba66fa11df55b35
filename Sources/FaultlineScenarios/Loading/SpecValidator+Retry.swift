/// A `retry` section names what the file declares.
extension SpecValidator {
    mutating func validateRetry(_ retry: RetrySpec, of vendor: VendorSpec, endpointIDs: Set<String>) {
        for (i, rule) in retry.answers.enumerated() {
            for (j, name) in (rule.scenarios ?? []).enumerated() where !Self.offers(vendor, name) {
                report("$.retry.answers[\(i)].scenarios[\(j)]", "'\(name)' is no scenario of this vendor, nor a built-in fault or gateway page")
            }
        }
        for (i, rule) in retry.idempotency.enumerated() {
            for (j, id) in rule.endpoints.enumerated() where !endpointIDs.contains(id) {
                report("$.retry.idempotency[\(i)].endpoints[\(j)]", "unknown endpoint id '\(id)'")
            }
        }
    }
}
