import AfterCall
import ServiceKit

await ServiceHost.main(AfterCallService.definition())
