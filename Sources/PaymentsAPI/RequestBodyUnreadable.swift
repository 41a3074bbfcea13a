/// The request body could not be read: the client closed the connection, or sent less than its `Content-Length`.
/// Answered `400` and logged at `info`, as a client's doing, not a server error.
struct RequestBodyUnreadable: Error {
    let underlying: any Error
}
