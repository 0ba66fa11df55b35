/// Why an import stopped: the description's file, where in it (a JSON pointer; "" is the whole
/// document) and what is wrong. Nothing is written when one is thrown.
public struct ImportError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var pointer: String
    public var message: String

    public init(file: String = "", pointer: String, message: String) {
        self.file = file
        self.pointer = pointer
        self.message = message
    }

    public var description: String {
        "\(file): \(pointer.isEmpty ? "/" : pointer): \(message)"
    }
}

/// What the description holds that the scenario file cannot say (callbacks, XML bodies, an
/// undecidable `oneOf`...), each with where it is. Listed at the end of the run and in the
/// file's `description`: never dropped silently.
public struct ImportNotes: Sendable {
    public struct Note: Sendable, Equatable {
        public var what: String
        public var pointers: [String]
    }

    public private(set) var notes: [Note] = []
    /// Places shown per kind of note; the rest are counted.
    static let shownPlaces = 5

    mutating func add(_ what: String, at pointer: String) {
        if let index = notes.firstIndex(where: { $0.what == what }) {
            if !notes[index].pointers.contains(pointer) { notes[index].pointers.append(pointer) }
        } else {
            notes.append(Note(what: what, pointers: [pointer]))
        }
    }

    public var isEmpty: Bool { notes.isEmpty }

    /// One line per kind: `XML bodies (not mapped): /paths/~1pets/get/responses/200/content/application~1xml`.
    public var lines: [String] {
        notes.map { note in
            var places = note.pointers.prefix(Self.shownPlaces).joined(separator: ", ")
            if note.pointers.count > Self.shownPlaces { places += " and \(note.pointers.count - Self.shownPlaces) more" }
            return "\(note.what): \(places)"
        }
    }
}
