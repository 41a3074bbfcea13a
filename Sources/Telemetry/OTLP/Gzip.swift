import CZlib

/// gzip (RFC 1952) compression of request bodies through the system zlib.
///
/// One `deflate(Z_FINISH)` into a buffer sized by `deflateBound`, since OTLP bodies are bounded by the batch size
/// and compressing in one call is the fastest way zlib offers.
enum Gzip {
    /// zlib reported an error (out of memory, or a version mismatch between headers and library).
    struct CompressionError: Error, Sendable, Hashable {
        /// zlib's return code.
        var code: Int32
    }

    /// Compresses `input` into a gzip member.
    static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip header and trailer rather than a zlib wrapper.
        let initResult = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard initResult == Z_OK else { throw CompressionError(code: initResult) }
        defer { deflateEnd(&stream) }

        // deflateBound does not count the gzip wrapper (18 bytes); add room for it.
        let capacity = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: capacity)
        var input = input
        let result: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw CompressionError(code: result) }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
