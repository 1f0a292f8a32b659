import Billing
import Foundation
import ServiceKit

// `billing` runs the service. Two operator commands run next to it with the same configuration and exit:
// `billing import-rates FILE` (BI-15) and `billing credit-note COMPANY INVOICE AMOUNT REASON` (BI-36).
let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "import-rates" {
    exit(await RateImport.main(path: arguments[2]))
}
if arguments.count >= 2, arguments[1] == "credit-note" {
    exit(await CorrectionCommand.main(arguments: Array(arguments.dropFirst(2))))
}
await ServiceHost.main(BillingService.definition())
