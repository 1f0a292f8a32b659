import Billing
import Foundation
import ServiceKit

// `billing` runs the service. Three operator commands run next to it with the same configuration and exit:
// `billing import-rates FILE` (BI-15), `billing credit-note COMPANY INVOICE AMOUNT REASON` (BI-36) and
// `billing settle-review PAYMENT deliver|credit|fail NOTE` (BI-32).
let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "import-rates" {
    exit(await RateImport.main(path: arguments[2]))
}
if arguments.count >= 2, arguments[1] == "credit-note" {
    exit(await CorrectionCommand.main(arguments: Array(arguments.dropFirst(2))))
}
if arguments.count >= 2, arguments[1] == "settle-review" {
    exit(await ReviewCommand.main(arguments: Array(arguments.dropFirst(2))))
}
await ServiceHost.main(BillingService.definition())
