import Foundation
import ZIPFoundation

/// The zip inside an .xlsx, read in memory with hard limits.
///
/// `ZipDirectory` first proves every offset ZIPFoundation will follow lies inside the data; ZIPFoundation's
/// `Archive` then lists the entries (names, kinds, checksums). Entry bytes are inflated here, through ZIPFoundation's
/// `Data.decompress`, with a provider bounded to the entry's own compressed bytes: `Archive.extract` keeps asking
/// its file for input after a truncated deflate stream and would spin forever on a crafted file.
struct XLSXPackage: Sendable {
    /// Zip-bomb guard: no part may inflate past this, whatever its header claims.
    static let maxEntryBytes = 20 * 1024 * 1024
    /// A real workbook has a few dozen parts; a central directory claiming more is hostile.
    static let maxEntries = 10_000
    private static let chunkSize = 64 * 1024

    private struct Member: Sendable {
        var path: String
        var record: ZipDirectory.Record
        var checksum: UInt32
    }

    private let bytes: [UInt8]
    /// Keyed by lowercased path: part names are case-insensitive in OPC.
    private let members: [String: Member]

    init(data: Data) throws(AudienceError) {
        guard data.starts(with: AudienceFile.zipMagic) else { throw .notZip }
        let bytes = [UInt8](data)
        let directory = try ZipDirectory(bytes: bytes, maxEntries: Self.maxEntries)
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .notZip
        }
        var members: [String: Member] = [:]
        // Both walk the same central directory in the same order.
        for (entry, record) in zip(archive, directory.records) where entry.type == .file {
            guard entry.compressedSize == UInt64(record.compressedSize) else {
                throw .corrupt(path: entry.path, reason: "the central directory is damaged")
            }
            // A zip may repeat a name; like ZIPFoundation's subscript, the first one wins.
            if members[entry.path.lowercased()] == nil {
                members[entry.path.lowercased()] = Member(path: entry.path, record: record, checksum: entry.checksum)
            }
        }
        self.bytes = bytes
        self.members = members
    }

    func contains(_ path: String) -> Bool { members[path.lowercased()] != nil }

    /// The inflated bytes of `path`, or nil when the package has no such part.
    func read(_ path: String) throws(AudienceError) -> Data? {
        guard let member = members[path.lowercased()] else { return nil }
        let record = member.record
        guard record.uncompressedSize <= Self.maxEntryBytes else { throw .entryTooLarge(path: member.path, limit: Self.maxEntryBytes) }
        guard record.dataStart + record.compressedSize <= bytes.count else {
            throw .corrupt(path: member.path, reason: "the archive is truncated")
        }
        let range = record.dataStart..<record.dataStart + record.compressedSize
        let content: Data
        let checksum: UInt32
        switch record.method {
        case 0:
            guard range.count <= Self.maxEntryBytes else { throw .entryTooLarge(path: member.path, limit: Self.maxEntryBytes) }
            content = Data(bytes[range])
            checksum = content.crc32(checksum: 0)
        case 8:
            (content, checksum) = try inflate(member.path, range: range)
        default:
            throw .corrupt(path: member.path, reason: "compression method \(record.method) is not supported")
        }
        guard checksum == member.checksum else { throw .corrupt(path: member.path, reason: "its checksum does not match") }
        return content
    }

    private enum InflateStop: Error {
        case tooLarge
        case truncated
    }

    private func inflate(_ path: String, range: Range<Int>) throws(AudienceError) -> (Data, UInt32) {
        var cursor = range.lowerBound
        var output = Data()
        do {
            let checksum = try Data.decompress(
                size: Int64(range.count), bufferSize: Self.chunkSize, skipCRC32: false,
                provider: { _, size in
                    guard cursor < range.upperBound else { throw InflateStop.truncated }
                    let upper = min(cursor + size, range.upperBound)
                    var chunk = Data(bytes[cursor..<upper])
                    cursor = upper
                    // ZIPFoundation tells zlib every chunk is `size` bytes long; padding keeps zlib inside the buffer.
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                },
                consumer: { part in
                    guard output.count + part.count <= Self.maxEntryBytes else { throw InflateStop.tooLarge }
                    output.append(part)
                })
            return (output, checksum)
        } catch InflateStop.tooLarge {
            throw .entryTooLarge(path: path, limit: Self.maxEntryBytes)
        } catch {
            throw .corrupt(path: path, reason: "it cannot be inflated")
        }
    }
}
