import Foundation
import Hummingbird
import Logging

// The sandbox plays the external providers (carrier switch, WhatsApp Cloud API, SMS aggregator, email, push,
// CRMs) on loopback. The foundation only needs it to be up; each provider's emulator arrives with the issue
// of the service that talks to it.
let port = Int(ProcessInfo.processInfo.environment["MYOP_SANDBOX_PORT"] ?? "") ?? 8090
let router = Router()
router.get("healthz") { _, _ in "ok" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sandbox"),
                      logger: Logger(label: "sandbox"))
try await app.runService()
