#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FaultlineHTTP
import Synchronization

/// The responder a server runs: the scenario engine of the files as they are now, swapped
/// whole when they change (`reload()`, `POST /__faultline/reload`, `watch`), plus the admin
/// endpoints that are about the process rather than the files (`reload`, `metrics`).
///
/// A reload builds a complete new engine beside the serving one and swaps a single pointer:
/// requests already inside the old engine finish there, connections are never touched, and a
/// reload that fails (a broken file, a `--rate-limit` naming a vendor that is gone) leaves the
/// old engine serving and is reported in the log, in `GET /__faultline/reload` and in metrics.
///
/// ```swift
/// let metrics = ServerMetricsStore()
/// let service = try ScenarioService(source: .directories(["Scenarios"]), metrics: metrics)
/// var configuration = HTTPServer.Configuration(port: 0)
/// configuration.metricsStore = metrics
/// try HTTPServer(configuration: configuration, responder: service).start()
/// ```
public final class ScenarioService: HTTPResponder {
    /// Where the scenario files come from, read again on every reload.
    public enum Source: Sendable {
        /// Every `*.json` of each directory; a vendor in a later directory replaces a vendor of
        /// the same name in an earlier one (your own `aftership.json` beside the bundled files).
        case directories([String])
        /// Files given as text (name, JSON), for tests that declare a vendor inline.
        case files([InlineFile])
        /// The directories' vendors, then the files', which replace any of the same name.
        case combined(directories: [String], files: [InlineFile])

        var directories: [String] {
            switch self {
            case .directories(let directories), .combined(let directories, _): directories
            case .files: []
            }
        }
    }

    public struct InlineFile: Sendable {
        public var name: String
        public var contents: [UInt8]

        public init(name: String, json: String) {
            self.name = name
            self.contents = Array(json.utf8)
        }

        public init(name: String, contents: [UInt8]) {
            self.name = name
            self.contents = contents
        }
    }

    /// The outcome of the start or the last reload.
    public struct ReloadStatus: Sendable {
        /// Seconds since 1970.
        public var time: Double
        /// "start", "admin", "watch" or "api".
        public var trigger: String
        public var succeeded: Bool
        /// The vendors served after it (unchanged when it failed).
        public var vendors: [String]
        public var diagnostics: [ScenarioDiagnostic]
    }

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let diagnostics: [ScenarioDiagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    public let source: Source
    public let options: ScenarioEngine.Options
    private let environment: @Sendable (String) -> String?
    let metricsLabels = MetricsLabels()
    /// The transport's counts, for `GET metrics`: the store the server was configured with.
    public let metricsStore: ServerMetricsStore
    /// Where problems go (a failed reload); the CLI prints them, tests may collect them.
    private let log: @Sendable (String) -> Void

    /// The serving engine, as the bits of a +1 `Unmanaged` reference: one atomic load per
    /// request instead of a lock.
    private let current: Atomic<UInt>
    /// Engines a reload replaced. A request may have loaded the old pointer an instant before
    /// the swap and not yet retained it, so the old engine is released only after a grace
    /// period far beyond that instant (requests that did retain it keep it alive themselves).
    private let retired = Mutex<[(since: UInt64, engine: Unmanaged<ScenarioEngine>)]>([])
    private static let retireGraceNanoseconds: UInt64 = 10_000_000_000

    private struct History {
        var status: ReloadStatus
        var succeeded = 0
        var failed = 0
        var watchSignature: [String]?
        var pendingSignature: [String]?
        /// The files as the serving engine (or the last attempt) read them.
        var loadedSignature: [String]
    }

    /// Serialises reloads (admin and watcher may race) and keeps their outcome.
    private let history: Mutex<History>
    private let watcher = Mutex<WatchTimer?>(nil)

    /// Dispatch sources are thread-safe but not marked `Sendable`.
    private final class WatchTimer: @unchecked Sendable {
        let source: DispatchSourceTimer
        init(_ source: DispatchSourceTimer) { self.source = source }
    }

    /// Loads `source`. `strict`: any diagnostic fails the start (tests); otherwise broken files
    /// are reported to `log` and the valid ones served, as long as one vendor loads.
    public init(
        source: Source,
        options: ScenarioEngine.Options = .init(),
        strict: Bool = false,
        metrics: ServerMetricsStore = ServerMetricsStore(),
        environment: @escaping @Sendable (String) -> String? = ScenarioEngine.processEnvironment,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        self.metricsStore = metrics
        self.source = source
        self.options = options
        self.environment = environment
        self.log = log
        let signature = Self.signature(source.directories)
        let (catalog, diagnostics) = Self.load(source)
        if strict, !diagnostics.isEmpty { throw LoadError(diagnostics: diagnostics) }
        guard !catalog.vendors.isEmpty else {
            throw LoadError(diagnostics: diagnostics.isEmpty ? [ScenarioDiagnostic(file: "-", path: "$", message: "no vendor loaded")] : diagnostics)
        }
        let clock = EmulationClock()
        let engine = try ScenarioEngine(catalog: catalog, options: options, rateLimiter: RateLimiter(clock: clock.now), clock: clock, environment: environment, carrying: nil, metricsLabels: metricsLabels)
        current = Atomic(Self.retainedBits(engine))
        history = Mutex(History(status: ReloadStatus(time: RequestJournal.now(), trigger: "start", succeeded: diagnostics.isEmpty, vendors: engine.catalog.vendors.map(\.name), diagnostics: diagnostics), loadedSignature: signature))
    }

    deinit {
        stopWatching()
        Self.unmanaged(current.load(ordering: .acquiring)).release()
        for old in retired.withLock({ $0 }) { old.engine.release() }
    }

    /// The engine serving now.
    public var engine: ScenarioEngine {
        Self.unmanaged(current.load(ordering: .acquiring)).takeUnretainedValue()
    }

    private static func retainedBits(_ engine: ScenarioEngine) -> UInt {
        UInt(bitPattern: Unmanaged.passRetained(engine).toOpaque())
    }

    private static func unmanaged(_ bits: UInt) -> Unmanaged<ScenarioEngine> {
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: bits)!)
    }

    /// The start's or the last reload's outcome.
    public var lastReload: ReloadStatus { history.withLock { $0.status } }

    /// Reloads so far, for metrics.
    func reloadCounts(vendors: Int) -> PrometheusText.Reloads {
        history.withLock { PrometheusText.Reloads(succeeded: $0.succeeded, failed: $0.failed, lastSucceeded: $0.status.succeeded, vendors: vendors) }
    }

    public func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
        guard AdminAPI.isAdmin(request, prefix: options.adminPrefix) else {
            // Borrowed, not retained (two atomic operations a request): an engine a reload
            // replaces is released only `retireGraceNanoseconds` later, at a later reload, and no
            // answer blocks or waits that long.
            return Self.unmanaged(current.load(ordering: .acquiring))._withUnsafeGuaranteedRef { $0.answer(to: request, notes: &notes) }
        }
        let answer = AdminAPI.respond(to: request, engine: engine, service: self)
        notes.label = answer.label
        return answer.response
    }

    // MARK: Reloading

    /// Reads the files again and, when every one is valid, serves them. State (stored items,
    /// rate-limit buckets, sequence positions, the journal) carries over for what still exists.
    /// `onlyIfChanged`: when no file changed since the last load, answer as that load did and
    /// build nothing, so a client posting reloads in a loop cannot pile up engines (each
    /// replaced one is kept for a grace period).
    @discardableResult
    public func reload(trigger: String = "api", onlyIfChanged: Bool = false) -> ReloadStatus {
        history.withLock { history in
            let signature = Self.signature(source.directories)
            if onlyIfChanged, signature == history.loadedSignature {
                let last = history.status
                history.status = ReloadStatus(time: RequestJournal.now(), trigger: trigger, succeeded: last.succeeded, vendors: last.vendors, diagnostics: last.diagnostics)
                return history.status
            }
            history.loadedSignature = signature
            let (catalog, diagnostics) = Self.load(source)
            let old = engine
            var problems = diagnostics
            if problems.isEmpty, catalog.vendors.isEmpty {
                problems.append(ScenarioDiagnostic(file: "-", path: "$", message: "no vendor loaded"))
            }
            var replacement: ScenarioEngine?
            if problems.isEmpty {
                do {
                    replacement = try ScenarioEngine(catalog: catalog, options: options, rateLimiter: old.rateLimiter, clock: old.clock, environment: environment, carrying: old, metricsLabels: metricsLabels)
                } catch {
                    problems.append(ScenarioDiagnostic(file: "-", path: "$", message: "\(error)"))
                }
            }
            guard let replacement else {
                history.failed += 1
                history.status = ReloadStatus(time: RequestJournal.now(), trigger: trigger, succeeded: false, vendors: old.catalog.vendors.map(\.name), diagnostics: problems)
                log("faultline: reload (\(trigger)) failed; still serving the previous scenarios:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
                return history.status
            }
            let previous = current.exchange(Self.retainedBits(replacement), ordering: .acquiringAndReleasing)
            let now = Self.monotonic()
            retired.withLock { retired in
                retired.append((now, Self.unmanaged(previous)))
                while let first = retired.first, now &- first.since > Self.retireGraceNanoseconds {
                    first.engine.release()
                    retired.removeFirst()
                }
            }
            history.succeeded += 1
            history.status = ReloadStatus(time: RequestJournal.now(), trigger: trigger, succeeded: true, vendors: replacement.catalog.vendors.map(\.name), diagnostics: [])
            log("faultline: reloaded (\(trigger)): \(history.status.vendors.joined(separator: ", "))")
            return history.status
        }
    }

    /// Polls the directories every `interval` seconds and reloads when a `*.json` file is
    /// added, removed or changed (size, modification time or inode). Polling, not inotify:
    /// it also sees files changed through Docker bind mounts and network file systems, where
    /// inotify stays silent. A change is reloaded once it has held still for one interval, so
    /// an editor's save in several writes is read whole.
    /// Seconds between looks at the files under `watch`, unless told otherwise.
    public static let defaultWatchInterval = 0.5

    public func watch(interval: Double = ScenarioService.defaultWatchInterval) {
        let directories = source.directories
        guard !directories.isEmpty else { return }
        let initial = Self.signature(directories)
        history.withLock { $0.watchSignature = initial }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "faultline.watch"))
        let nanoseconds = Int(Seconds.nanoseconds(max(0.01, interval)))
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler { [weak self] in self?.poll(directories) }
        timer.resume()
        let box = WatchTimer(timer)
        watcher.withLock { old in
            old?.source.cancel()
            old = box
        }
    }

    public func stopWatching() {
        watcher.withLock { timer in
            timer?.source.cancel()
            timer = nil
        }
    }

    private func poll(_ directories: [String]) {
        let now = Self.signature(directories)
        let due: Bool = history.withLock { history in
            if now == history.watchSignature {
                history.pendingSignature = nil
                return false
            }
            if now == history.pendingSignature {
                history.watchSignature = now
                history.pendingSignature = nil
                return true
            }
            history.pendingSignature = now
            return false
        }
        if due { reload(trigger: "watch") }
    }

    /// What changes when a scenario file does: names, sizes, modification times, inodes.
    static func signature(_ directories: [String]) -> [String] {
        var lines: [String] = []
        for directory in directories {
            let names = ((try? FileSystem.listFiles(directory, suffix: ".json")) ?? []).filter { $0 != "schema.json" }.sorted()
            lines.append(directory + (names.isEmpty ? " (empty or missing)" : ""))
            for name in names {
                var info = stat()
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                if stat(path, &info) == 0 {
                    lines.append("\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)")
                } else {
                    lines.append("\(path) gone")
                }
            }
        }
        return lines
    }

    static func load(_ source: Source) -> (ScenarioCatalog, [ScenarioDiagnostic]) {
        switch source {
        case .directories(let directories):
            return ScenarioLoader.loadDirectories(directories)
        case .files(let files):
            return overlay(ScenarioCatalog(vendors: []), [], files)
        case .combined(let directories, let files):
            let (catalog, diagnostics) = ScenarioLoader.loadDirectories(directories)
            return overlay(catalog, diagnostics, files)
        }
    }

    private static func overlay(_ catalog: ScenarioCatalog, _ diagnostics: [ScenarioDiagnostic], _ files: [InlineFile]) -> (ScenarioCatalog, [ScenarioDiagnostic]) {
        var catalog = catalog
        var diagnostics = diagnostics
        var inline: Set<String> = []
        for file in files {
            switch ScenarioLoader.parse(file.contents, file: file.name) {
            case .success(let vendor):
                guard inline.insert(vendor.name).inserted else {
                    diagnostics.append(ScenarioDiagnostic(file: file.name, path: "$.vendor", message: "vendor '\(vendor.name)' is declared twice"))
                    continue
                }
                catalog.insertOrReplace(vendor)
            case .failure(let errors):
                diagnostics.append(contentsOf: errors.diagnostics)
            }
        }
        return (catalog, diagnostics)
    }

    private static func monotonic() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
