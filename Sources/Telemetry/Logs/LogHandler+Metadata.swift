import Logging

extension LogHandler {
    /// The metadata of one line, lowest precedence first: the provider's (the active trace), the logger's, the call's.
    func mergedMetadata(for event: LogEvent) -> Logger.Metadata {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        return merged
    }

    /// A logger's metadata entry: both handlers keep the logger's metadata in `metadata`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
