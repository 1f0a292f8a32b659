import CallRouter
import ServiceKit

await ServiceHost.main(CallRouterService.definition())
