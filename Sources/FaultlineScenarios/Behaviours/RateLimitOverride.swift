/// A limit given on the command line, replacing the file's: `aftership=3/1s` (every group of
/// the vendor) or `price2b.quotes=2/60s`. The window is a `DurationText` (`1s`, `s`, `15m`, `1h`).
public struct RateLimitOverride: Sendable, Equatable {
    public var vendor: String
    public var group: String?
    public var limit: Int
    public var window: Double

    public init(vendor: String, group: String? = nil, limit: Int, window: Double) {
        self.vendor = vendor
        self.group = group
        self.limit = limit
        self.window = window
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let target = parts[0].split(separator: ".", maxSplits: 1)
        let rate = parts[1].split(separator: "/", maxSplits: 1)
        guard let vendorName = target.first, !vendorName.isEmpty, rate.count == 2, let limit = Int(rate[0]), limit > 0, limit <= 1_000_000_000,
              let window = DurationText.seconds(rate[1]), window > 0, window <= 31_536_000 else { return nil }
        self.init(vendor: String(vendorName), group: target.count == 2 ? String(target[1]) : nil, limit: limit, window: window)
    }
}

/// A setting given on the command line, replacing the file's: `price2b.quote_validity_seconds=1`.
/// A value that reads as a number or a boolean is one; anything else is a string.
public struct SettingOverride: Sendable, Equatable {
    public var vendor: String
    public var name: String
    public var value: JSONValue

    public init(vendor: String, name: String, value: JSONValue) {
        self.vendor = vendor
        self.name = name
        self.value = value
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let target = parts[0].split(separator: ".", maxSplits: 1)
        guard target.count == 2, !target[0].isEmpty, !target[1].isEmpty else { return nil }
        let raw = String(parts[1])
        let value: JSONValue = if raw == "true" || raw == "false" { .bool(raw == "true") } else if JSONValue.isNumberLiteral(raw) { .number(raw) } else { .string(raw) }
        self.init(vendor: String(target[0]), name: String(target[1]), value: value)
    }
}
