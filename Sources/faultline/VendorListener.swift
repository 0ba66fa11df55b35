import ArgumentParser

/// `--listen aftership=8081`: a port whose root is one vendor, for SDKs that hard-code absolute
/// paths (`/tracking/2026-07/...`, `/v1/...`) and so cannot reach a vendor under `/<vendor>`.
struct VendorListener: Equatable {
    var vendor: String
    var port: UInt16

    /// `vendor=port`; the port may be 0 (a free one, shown in the start-up line).
    init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = UInt16(parts[1]) else { return nil }
        vendor = String(parts[0])
        self.port = port
    }

    /// Every `--listen` value parsed, with no vendor named twice and no port (but 0) used twice.
    static func parseAll(_ texts: [String], mainPort: UInt16) throws -> [VendorListener] {
        var listeners: [VendorListener] = []
        for text in texts {
            guard let listener = VendorListener(parsing: text) else {
                throw ValidationError("--listen '\(text)': expected vendor=port, e.g. aftership=8081")
            }
            if listeners.contains(where: { $0.vendor == listener.vendor }) {
                throw ValidationError("--listen '\(text)': vendor '\(listener.vendor)' already has a port")
            }
            if listener.port != 0, listener.port == mainPort || listeners.contains(where: { $0.port == listener.port }) {
                throw ValidationError("--listen '\(text)': port \(listener.port) is already in use by this server")
            }
            listeners.append(listener)
        }
        return listeners
    }
}
