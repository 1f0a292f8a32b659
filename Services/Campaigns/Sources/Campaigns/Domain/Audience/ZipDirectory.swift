/// A bounds-checked walk of a zip's end record, central directory and local headers, done before ZIPFoundation
/// sees the bytes. ZIPFoundation's in-memory reader trusts every offset in the file: seeking past the end of the
/// data and then reading traps (`Range requires lowerBound <= upperBound`), so one crafted byte would crash the
/// service. This walk follows the same path ZIPFoundation does and refuses the archive if any step leaves the data.
/// ZIP64 is refused outright: an .xlsx under 10 MB never needs it, and its 64-bit offsets are more to trust.
struct ZipDirectory: Sendable {
    struct Record: Equatable, Sendable {
        var method: Int
        var compressedSize: Int
        var uncompressedSize: Int
        /// Where the entry's (compressed) bytes start; `dataStart + compressedSize` may still lie past the end,
        /// which only matters, and is reported, when the entry is read.
        var dataStart: Int
    }

    /// Central-directory records in directory order, the order ZIPFoundation's `Archive` iterates in.
    let records: [Record]

    private static let endRecordSize = 22
    private static let maxCommentLength = 65_535
    private static let centralRecordSize = 46
    private static let localHeaderSize = 30
    private static let zip64LocatorSize = 20

    init(bytes: [UInt8], maxEntries: Int) throws(AudienceError) {
        let reader = ByteReader(bytes: bytes)
        // ZIPFoundation takes the last end-record signature in the file; so does this.
        let lowest = max(0, bytes.count - Self.endRecordSize - Self.maxCommentLength)
        guard bytes.count >= Self.endRecordSize,
            let end = stride(from: bytes.count - Self.endRecordSize, through: lowest, by: -1).first(where: {
                reader.signature(at: $0) == 0x0605_4B50
            })
        else { throw .notZip }
        if end >= Self.zip64LocatorSize, reader.signature(at: end - Self.zip64LocatorSize) == 0x0706_4B50 {
            throw .corrupt(path: "", reason: "ZIP64 archives are not supported")
        }
        let count = reader.uint16(at: end + 10)
        let directoryStart = reader.uint32(at: end + 16)
        guard end + Self.endRecordSize + reader.uint16(at: end + 20) <= bytes.count else { throw .notZip }
        guard count <= maxEntries else { throw .corrupt(path: "", reason: "more than \(maxEntries) entries") }
        guard count != 0xFFFF, directoryStart != 0xFFFF_FFFF else { throw .corrupt(path: "", reason: "ZIP64 archives are not supported") }
        var records: [Record] = []
        var position = directoryStart
        for _ in 0..<count {
            guard position + Self.centralRecordSize <= bytes.count, reader.signature(at: position) == 0x0201_4B50 else {
                throw .corrupt(path: "", reason: "the central directory is damaged")
            }
            let flags = reader.uint16(at: position + 8)
            let method = reader.uint16(at: position + 10)
            let compressedSize = reader.uint32(at: position + 20)
            let uncompressedSize = reader.uint32(at: position + 24)
            let localOffset = reader.uint32(at: position + 42)
            guard ![compressedSize, uncompressedSize, localOffset].contains(0xFFFF_FFFF) else {
                throw .corrupt(path: "", reason: "ZIP64 archives are not supported")
            }
            guard localOffset + Self.localHeaderSize <= bytes.count, reader.signature(at: localOffset) == 0x0403_4B50 else {
                throw .corrupt(path: "", reason: "a local file header is missing")
            }
            let dataStart = localOffset + Self.localHeaderSize + reader.uint16(at: localOffset + 26) + reader.uint16(at: localOffset + 28)
            // ZIPFoundation seeks to the data descriptor of such entries while listing them.
            if flags & 0x08 != 0, dataStart + (method == 0 ? uncompressedSize : compressedSize) > bytes.count {
                throw .corrupt(path: "", reason: "a data descriptor lies outside the archive")
            }
            records.append(Record(method: method, compressedSize: compressedSize, uncompressedSize: uncompressedSize, dataStart: dataStart))
            position += Self.centralRecordSize + reader.uint16(at: position + 28) + reader.uint16(at: position + 30)
                + reader.uint16(at: position + 32)
        }
        self.records = records
    }

    /// Little-endian reads that answer 0 past the end instead of trapping.
    private struct ByteReader {
        let bytes: [UInt8]

        func uint16(at offset: Int) -> Int { byte(offset) | byte(offset + 1) << 8 }
        func uint32(at offset: Int) -> Int { uint16(at: offset) | uint16(at: offset + 2) << 16 }
        func signature(at offset: Int) -> Int { uint32(at: offset) }
        private func byte(_ offset: Int) -> Int { bytes.indices.contains(offset) ? Int(bytes[offset]) : 0 }
    }
}
