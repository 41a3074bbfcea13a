import Synchronization

/// Values made once each, on first use, by key, and kept: metric handles for label values met at run time, so the
/// hot path is one lookup here instead of a registry's lookup of the whole label set.
public final class MemoTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])

    /// Creates an empty table.
    public init() {}

    /// The value of `key`, made by `make` the first time.
    public func value(_ key: Key, make: (Key) -> Value) -> Value {
        values.withLock { values in
            if let value = values[key] { return value }
            let value = make(key)
            values[key] = value
            return value
        }
    }
}
