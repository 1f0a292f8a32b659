import NIOSSL
@testable import Storage
import Testing

@Suite("Database URL")
struct DatabaseURLTests {
    @Test("sslmode: libpq's modes with libpq's meaning; an unknown one is refused, never read as no TLS")
    func sslModes() {
        let base = "postgres://user:secret@db.internal:5433/myop"
        let expected: [(String, DatabaseURL.TLSMode)] = [
            ("", .disable), ("?sslmode=disable", .disable), ("?sslmode=allow", .prefer), ("?sslmode=prefer", .prefer),
            ("?sslmode=require", .require), ("?sslmode=verify-ca", .verifyCA), ("?sslmode=verify-full", .verifyFull),
        ]
        for (query, mode) in expected {
            #expect(DatabaseURL(base + query)?.tls == mode, "\(query)")
        }
        for query in ["?sslmode=REQUIRE", "?sslmode=requre", "?sslmode="] {
            #expect(DatabaseURL(base + query) == nil, "\(query)")
        }
        #expect(DatabaseURL(base + "?sslmode=prefer")?.tlsConfiguration.certificateVerification == CertificateVerification.none)
        #expect(DatabaseURL(base + "?sslmode=require")?.tlsConfiguration.certificateVerification == CertificateVerification.none)
        #expect(DatabaseURL(base + "?sslmode=verify-ca")?.tlsConfiguration.certificateVerification == .noHostnameVerification)
        #expect(DatabaseURL(base + "?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem")?.tlsConfiguration.certificateVerification == .fullVerification)
        #expect(DatabaseURL(base + "?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem")?.rootCertificatePath == "/etc/ssl/db-ca.pem")
        let url = DatabaseURL(base)
        #expect(url?.host == "db.internal" && url?.port == 5433 && url?.user == "user" && url?.password == "secret" && url?.database == "myop")
        #expect(url?.description == "postgres://user@db.internal:5433/myop", "no password in logs")
    }
}
