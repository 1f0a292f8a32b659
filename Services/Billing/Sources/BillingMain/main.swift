import Billing
import Foundation
import ServiceKit

// `billing` runs the service; `billing import-rates FILE` re-imports rate cards (BI-15) and exits.
let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "import-rates" {
    exit(await RateImport.main(path: arguments[2]))
}
await ServiceHost.main(BillingService.definition())
