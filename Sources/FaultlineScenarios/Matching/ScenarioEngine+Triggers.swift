import FaultlineHTTP

/// The answers of the checks a vendor makes by itself: a catalog entry marked with
/// `Faultline-Trigger`, and validation violations in the vendor's own shape.
extension ScenarioEngine {
    /// Violations in the vendor's way: a rule's own entry, the first violation alone, or every
    /// violation as a list or map inside the validation entry.
    func answer(_ found: [Violation], first: Violation, spec: ValidationSpec, vendor: CompiledVendor, _ context: inout RenderContext) -> LabeledResponse? {
        context.violation = first
        context.triggerMessage = first.message
        if let own = first.response { return trigger(own, "validation", vendor, &context) }
        switch spec.mode {
        case .first:
            return trigger(spec.responses[first.kind.rawValue] ?? spec.response, "validation", vendor, &context)
        case .all:
            switch spec.collection {
            case .list:
                let item = vendor.violationItem
                context.violations = .array(found.map { item.filled(with: $0) })
            case .map:
                var order: [String] = []
                var messages: [String: [JSONValue]] = [:]
                for violation in found {
                    if messages[violation.field] == nil { order.append(violation.field) }
                    messages[violation.field, default: []].append(.string(violation.message))
                }
                context.violations = .object(order.map { JSONMember(key: $0, value: .array(messages[$0]!)) })
            }
            guard let variant = vendor.validationResponse else { return trigger(spec.response, "validation", vendor, &context) }
            var response = variant.render(&context)
            response.headers.add(name: "Faultline-Trigger", value: "validation")
            response.label = vendor.validationLabel
            return response
        }
    }

    /// Renders the catalog entry a trigger answers with, marked with `Faultline-Trigger` so a
    /// test author can see why the vendor's error came.
    func trigger(_ name: String, _ reason: String, _ vendor: CompiledVendor, _ context: inout RenderContext) -> LabeledResponse? {
        guard let compiled = vendor.catalog[name] else { return nil }
        var response = compiled.render(&context)
        response.headers.add(name: "Faultline-Trigger", value: reason)
        response.label = "\(compiled.name) (\(reason))"
        return response
    }
}
