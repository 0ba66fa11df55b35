#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// `GET|POST /__faultline/clock`: the emulation's time, shown, frozen, advanced and resumed.
extension ScenarioEngine {
    static let clockUsage = #"POST clock takes a JSON body with any of {"freeze": true, "advance": "24h", "resume": true, "reset": true}, applied in that order; advance is seconds (a number) or a number with ms, s, m, h or d, from 0 to 100 years ahead."#

    func clockStatus() -> JSONValue {
        let now = clock.now().wall
        return .object([
            JSONMember(key: "frozen", value: .bool(clock.isFrozen)),
            // To the millisecond, in the shortest form that reads back ("86400", "3599.999").
            JSONMember(key: "aheadSeconds", value: .number(PrometheusText.format((clock.aheadSeconds * 1000).rounded() / 1000))),
            JSONMember(key: "now", value: .string(Timestamps.iso8601(time_t(now.rounded(.down))))),
            JSONMember(key: "epoch", value: .number(String(Int64(now.rounded(.down))))),
        ])
    }

    func moveClock(_ request: HTTPRequest) -> LabeledResponse {
        guard let body = try? JSONParser.parse(request.body), case .object(let members) = body, !members.isEmpty,
              members.allSatisfy({ ["freeze", "advance", "resume", "reset"].contains($0.key) }) else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: Self.clockUsage)
        }
        var advance: Double?
        if let value = body["advance"] {
            guard let seconds = Self.seconds(value), seconds >= 0, seconds <= EmulationClock.maxOffsetSeconds else {
                return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: Self.clockUsage)
            }
            advance = seconds
        }
        if body["freeze"] == .bool(true) { clock.freeze() }
        if let advance, !clock.advance(by: advance) {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: "The clock may be at most 100 years ahead of real time.")
        }
        if body["resume"] == .bool(true) { clock.resume() }
        if body["reset"] == .bool(true) { clock.reset() }
        return Self.json(clockStatus())
    }

    /// A number of seconds, or a `DurationText` string (`"24h"`).
    static func seconds(_ value: JSONValue) -> Double? {
        if let number = value.numberValue { return number.isFinite ? number : nil }
        guard let text = value.stringValue?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return DurationText.seconds(text)
    }
}
