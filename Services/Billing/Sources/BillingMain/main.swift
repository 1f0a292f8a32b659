import Billing
import ServiceKit

await ServiceHost.main(BillingService.definition())
